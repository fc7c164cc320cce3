"""`tf.keras.models`: the model classes."""
from .sequential import Sequential  # noqa: F401
from .training import Model  # noqa: F401
