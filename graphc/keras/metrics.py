"""Metrics by Keras name, as functions of (y_true, y_pred) with one value per
example; `fit` reports their mean. 'accuracy' means the accuracy that fits
the loss and output: binary for binary cross-entropy or one output unit,
sparse categorical for sparse labels, categorical otherwise."""
from .. import dtypes, keras_losses
from ..ops.array import squeeze
from ..ops.building import convert_to_tensor
from ..ops.math import argmax, cast, equal, greater, reduce_mean

__all__ = ["binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "get", "resolve"]


def _float_equal(a, b, like):
    return cast(equal(a, b), like.dtype)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_true, y_pred = keras_losses._pair(y_true, y_pred)
    predicted = cast(greater(y_pred, convert_to_tensor(threshold, dtype=y_pred.dtype)), y_pred.dtype)
    return reduce_mean(_float_equal(y_true, predicted, y_pred), axis=-1)


def categorical_accuracy(y_true, y_pred):
    y_pred = convert_to_tensor(y_pred)
    return _float_equal(argmax(y_true, -1), argmax(y_pred, -1), y_pred)


def sparse_categorical_accuracy(y_true, y_pred):
    y_pred, y_true = convert_to_tensor(y_pred), convert_to_tensor(y_true)
    if y_true.shape.ndims is not None and y_true.shape.ndims == y_pred.shape.ndims:
        y_true = squeeze(y_true, [-1])
    return _float_equal(cast(y_true, dtypes.int64), argmax(y_pred, -1), y_pred)


METRICS = {"binary_accuracy": binary_accuracy, "categorical_accuracy": categorical_accuracy,
           "sparse_categorical_accuracy": sparse_categorical_accuracy, **keras_losses.LOSSES}


def _accuracy_for(loss, output):
    loss_name = getattr(loss, "__name__", "")
    if loss_name == "binary_crossentropy" or output.shape.as_list()[-1:] == [1]:
        return binary_accuracy
    if loss_name == "sparse_categorical_crossentropy":
        return sparse_categorical_accuracy
    return categorical_accuracy


def resolve(identifier, loss, output):
    """(log name, metric function) of a `compile(metrics=[...])` entry."""
    if identifier in ("accuracy", "acc"):
        return identifier, _accuracy_for(loss, output)
    return (identifier if isinstance(identifier, str) else identifier.__name__), get(identifier)


def get(identifier):
    if callable(identifier):
        return identifier
    try:
        return METRICS[identifier]
    except KeyError:
        raise ValueError(f"unknown metric {identifier!r}; known metrics: ['accuracy', "
                         f"{', '.join(repr(k) for k in sorted(METRICS))}]") from None
