"""`tf.keras.activations`: shared with tf.layers (graphc/layers/activations.py)."""
from ..layers.activations import *  # noqa: F401,F403
from ..layers.activations import get  # noqa: F401
