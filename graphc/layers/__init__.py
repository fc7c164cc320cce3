"""`tf.layers`: TF1's layers, as functions (`tf.layers.dense(x, 10)`) and classes
(`tf.layers.Dense(10)`). The classes are also the base of `tf.keras.layers`."""
from . import activations, constraints, initializers, regularizers  # noqa: F401
from .base import InputSpec, Layer  # noqa: F401
from .convolutional import (Conv1D, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose, conv1d, conv2d,  # noqa: F401
                            conv2d_transpose, conv3d, conv3d_transpose)
from .core import Dense, Dropout, Flatten, dense, dropout, flatten  # noqa: F401
from .normalization import BatchNormalization, batch_normalization  # noqa: F401
from .pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D, MaxPooling1D,  # noqa: F401
                      MaxPooling2D, MaxPooling3D, average_pooling1d, average_pooling2d, average_pooling3d,
                      max_pooling1d, max_pooling2d, max_pooling3d)
