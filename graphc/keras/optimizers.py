"""`tf.keras.optimizers`: Keras's optimizer names and defaults over graphc's
`tf.train` optimizers (a `tf.train.Optimizer` may be given to `compile` too).
`lr` is accepted for `learning_rate`, as older Keras spelled it."""
from ..train import optimizer as tf_optimizer, optimizers as tf_optimizers

__all__ = ["SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "get"]


def _rate(learning_rate, lr):
    return lr if lr is not None else learning_rate


class SGD(tf_optimizers.MomentumOptimizer):
    """Gradient descent with optional (Nesterov) momentum; momentum 0 is plain SGD."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, lr=None, name="SGD", **_):
        super().__init__(_rate(learning_rate, lr), momentum, name=name, use_nesterov=nesterov)


class Adam(tf_optimizers.AdamOptimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, lr=None, name="Adam", **_):
        super().__init__(_rate(learning_rate, lr), beta_1, beta_2, epsilon, name=name)


class RMSprop(tf_optimizers.RMSPropOptimizer):
    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, lr=None, name="RMSprop", **_):
        super().__init__(_rate(learning_rate, lr), rho, momentum, epsilon, name=name)


class Adagrad(tf_optimizers.AdagradOptimizer):
    def __init__(self, learning_rate=0.01, initial_accumulator_value=0.1, lr=None, name="Adagrad", **_):
        super().__init__(_rate(learning_rate, lr), initial_accumulator_value, name=name)


class Adadelta(tf_optimizers.AdadeltaOptimizer):
    def __init__(self, learning_rate=1.0, rho=0.95, epsilon=1e-7, lr=None, name="Adadelta", **_):
        super().__init__(_rate(learning_rate, lr), rho, epsilon, name=name)


OPTIMIZERS = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop, "adagrad": Adagrad, "adadelta": Adadelta}


def get(identifier):
    """A new optimizer for a name; an optimizer object passes through."""
    if isinstance(identifier, tf_optimizer.Optimizer):
        return identifier
    try:
        return OPTIMIZERS[str(identifier).lower()]()
    except KeyError:
        raise ValueError(f"unknown optimizer {identifier!r}; known optimizers: {sorted(OPTIMIZERS)}") from None
