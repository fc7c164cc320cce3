"""`tf.keras` (`from graphc import keras`): Keras's layers, models and training
loop in TF1 graph mode. Every layer call builds graph ops in the default graph;
`fit`, `evaluate` and `predict` run compiled callables of it (see
docs/keras-and-layers.md)."""
from . import (activations, backend, callbacks, constraints, initializers, layers, losses, metrics,  # noqa: F401
               models, optimizers, regularizers)
from .layers import Input  # noqa: F401
from .models import Model, Sequential  # noqa: F401
