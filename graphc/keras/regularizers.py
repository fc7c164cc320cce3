"""`tf.keras.regularizers`: shared with tf.layers (graphc/layers/regularizers.py)."""
from ..layers.regularizers import *  # noqa: F401,F403
from ..layers.regularizers import get  # noqa: F401
