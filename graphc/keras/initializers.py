"""`tf.keras.initializers`: shared with tf.layers (graphc/layers/initializers.py)."""
from ..layers.initializers import *  # noqa: F401,F403
from ..layers.initializers import get  # noqa: F401
