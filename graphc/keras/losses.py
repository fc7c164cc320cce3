"""`tf.keras.losses`: the Keras losses (graphc/keras_losses.py), by name or function."""
from ..keras_losses import *  # noqa: F401,F403
from ..keras_losses import (LOSSES, binary_crossentropy, categorical_crossentropy, get, hinge,  # noqa: F401
                            kl_divergence, kld, kullback_leibler_divergence, mae, mean_absolute_error,
                            mean_squared_error, mean_squared_logarithmic_error, mse, msle,
                            sparse_categorical_crossentropy, squared_hinge)
