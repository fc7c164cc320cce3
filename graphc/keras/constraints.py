"""`tf.keras.constraints`: shared with tf.layers (graphc/layers/constraints.py)."""
from ..layers.constraints import *  # noqa: F401,F403
from ..layers.constraints import get  # noqa: F401
