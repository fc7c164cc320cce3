"""`tf.keras.layers`: tf.layers' classes with Keras's conventions, and Keras's own."""
from ...layers import InputSpec, Layer  # noqa: F401
from ...layers.convolutional import Conv1D, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose  # noqa: F401
from ...layers.pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D,  # noqa: F401
                               GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D,
                               GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPooling1D,
                               MaxPooling2D, MaxPooling3D)
from .core import (Activation, BatchNormalization, Dense, Dropout, Embedding, Flatten, Lambda,  # noqa: F401
                   LeakyReLU, Permute, RepeatVector, Reshape)
from .input_layer import Input, InputLayer  # noqa: F401
from .merge import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add, average,  # noqa: F401
                    concatenate, maximum, minimum, multiply, subtract)
from .recurrent import GRU, LSTM, RNN, SimpleRNN  # noqa: F401
from .wrappers import Bidirectional, TimeDistributed  # noqa: F401

# Keras's short aliases.
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution2DTranspose, Convolution3DTranspose = Conv2DTranspose, Conv3DTranspose
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool2D, GlobalAvgPool2D = GlobalMaxPooling2D, GlobalAveragePooling2D
