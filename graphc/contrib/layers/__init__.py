"""`tf.contrib.layers`: the parts classic TF1 programs use."""
from .flatten import flatten

__all__ = ["flatten"]
