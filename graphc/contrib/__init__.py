"""`tf.contrib`: the parts of TF1's contrib that classic programs use."""
from . import factorization, layers, rnn  # noqa: F401
