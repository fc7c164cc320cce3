"""The Layer base class shared by `tf.layers` and `tf.keras.layers`.

A layer owns weights and maps tensors to tensors. Its first call opens the
layer's variable scope, runs `build(input_shape)` (which makes weights with
`add_weight`, i.e. `tf.get_variable`) and then `call(inputs)`; later calls
re-enter that scope and reuse the weights. The scope follows TF1's
`tf.layers`: the layer's `name` argument, else its class's snake-case name,
made unique among the scopes opened in the enclosing variable scope (`dense`,
`dense_1`, ...; the counts restart when that scope is left, so a network built
again under `variable_scope(..., reuse=True)` asks for the same variables), or
that name unchanged when the layer has `reuse` (True or AUTO_REUSE). An unnamed
layer's `name` is unique per graph (Keras's rule). Every call builds ordinary
graph ops. Each output tensor remembers the layer call that made it
(`_keras_history`), which is how a functional Keras model finds its layers.
"""
import re
import weakref

from .. import dtypes, shapes
from ..graph import GraphKeys, get_default_graph
from ..ops.control import identity
from ..ops.building import convert_to_tensor
from ..ops.rnn_cell import _snake_case
from ..variable_scope import get_variable, variable_scope
from . import constraints, initializers, regularizers

__all__ = ["Layer", "InputSpec"]

_layer_name_counts = weakref.WeakKeyDictionary()  # graph -> {base name: count}


def unique_layer_name(base_name):
    """`base_name`, then `base_name_1`, ... per graph (Keras's `unique_object_name`)."""
    counts = _layer_name_counts.setdefault(get_default_graph(), {})
    count = counts.get(base_name, 0)
    counts[base_name] = count + 1
    return base_name if count == 0 else f"{base_name}_{count}"


class InputSpec:
    """What a layer accepts: a rank (`ndim`) or a minimum rank (`min_ndim`)."""

    def __init__(self, ndim=None, min_ndim=None, dtype=None, shape=None, axes=None):
        self.ndim, self.min_ndim, self.dtype, self.shape, self.axes = ndim, min_ndim, dtype, shape, axes


def as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


class Layer:
    """Base class: subclasses define `build(input_shape)` and `call(inputs)`
    (and `compute_output_shape` if the output's static shape needs help).

    Keras keywords: `input_shape` or `input_dim` (the shape without the batch
    axis) or `batch_input_shape` let a Sequential model make its input.
    """

    _reserved = ("input_shape", "input_dim", "batch_input_shape", "batch_size", "input_length")

    def __init__(self, trainable=True, name=None, dtype=None, _reuse=None, **kwargs):
        unknown = set(kwargs) - set(self._reserved)
        if unknown:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) {sorted(unknown)}")
        self.trainable = trainable
        self._base_name = name if name is not None else _snake_case(type(self).__name__)
        self.name = name if name is not None else unique_layer_name(self._base_name)
        self.dtype = dtypes.as_dtype(dtype) if dtype is not None else None
        self._reuse = _reuse
        self._batch_input_shape = _batch_input_shape(kwargs)
        self.built = False
        self.input_spec = None
        self._scope = None
        self._weights = []
        self._updates = []
        self._inbound = []  # (input tensors, output tensors) of every call

    # -- building ----------------------------------------------------------------
    def build(self, input_shape):
        """Create the weights (none by default)."""
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def add_weight(self, name, shape, dtype=None, initializer=None, regularizer=None, trainable=True,
                   constraint=None, **_):
        """A weight of this layer: `tf.get_variable(name, ...)` in the layer's scope,
        initializer/regularizer/constraint given as objects or Keras names."""
        variable = get_variable(name, shapes.as_shape(shape).as_list(), dtype or self.dtype or dtypes.float32,
                                initializer=initializers.get(initializer), regularizer=regularizers.get(regularizer),
                                trainable=trainable and self.trainable, constraint=constraints.get(constraint))
        if variable not in self._weights:
            self._weights.append(variable)
        return variable

    add_variable = add_weight

    def add_update(self, updates, inputs=None):
        self._updates.extend(as_list(updates))

    # -- calling -----------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        inputs = _converted(inputs, self.dtype)
        input_shapes = _shapes_of(inputs)
        if not self.built or self._scope is None:
            with self._first_scope() as scope:
                self._scope = scope
                self.dtype = self.dtype or _dtype_of(inputs)
                if not self.built:
                    self.build(input_shapes)
                    self.built = True
                outputs = self.call(inputs, *args, **kwargs)
            self._track_scope_weights()
        else:
            with variable_scope(self._scope, reuse=True):
                outputs = self.call(inputs, *args, **kwargs)
        outputs = self._with_static_shape(_distinct_from(outputs, inputs), input_shapes)
        for output in as_list(outputs):
            output._keras_history = (self, as_list(inputs))
        self._inbound.append((as_list(inputs), as_list(outputs)))
        return outputs

    def _first_scope(self):
        """The layer's variable scope, opened on its first call (TF1's `Layer._set_scope`)."""
        if self._reuse:
            return variable_scope(self._base_name, reuse=self._reuse)
        return variable_scope(None, default_name=self._base_name)

    def _track_scope_weights(self):
        """Weights made in the layer's scope other than by add_weight (an RNN cell's)."""
        prefix = re.escape(self._scope.name + "/")
        for variable in get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, prefix):
            if variable not in self._weights:
                self._weights.append(variable)

    def _with_static_shape(self, outputs, input_shapes):
        """Outputs whose static shape is unknown get `compute_output_shape`'s."""
        if isinstance(outputs, (list, tuple)) or outputs.shape.ndims is not None:
            return outputs
        declared = self.compute_output_shape(input_shapes)
        if declared is not None:
            outputs.set_shape(shapes.as_shape(declared))
        return outputs

    # -- what the layer holds ----------------------------------------------------
    @property
    def scope_name(self):
        """The name of the layer's variable scope, chosen on its first call."""
        if self._scope is None:
            raise ValueError(f'No name available for layer scope because the layer "{self.name}" has not been '
                             "used yet. The scope name is determined the first time the layer instance is called.")
        return self._scope.name

    @property
    def weights(self):
        return list(self._weights)

    variables = weights

    @property
    def trainable_weights(self):
        trainable = get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES)
        return [w for w in self._weights if any(w is t for t in trainable)]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self):
        trainable = self.trainable_weights
        return [w for w in self._weights if not any(w is t for t in trainable)]

    non_trainable_variables = non_trainable_weights

    @property
    def updates(self):
        return list(self._updates)

    @property
    def losses(self):
        """The regularization losses of the layer's weights."""
        if self._scope is None:
            return []
        return get_default_graph().get_collection(GraphKeys.REGULARIZATION_LOSSES,
                                                  re.escape(self._scope.name + "/"))

    def count_params(self):
        if not self.built:
            raise ValueError(f"You tried to call count_params on {self.name}, but the layer isn't built. "
                             "Call it on an input first (or give the model an input shape).")
        return sum(int(shapes.as_shape(w.shape).num_elements()) for w in self._weights)

    @property
    def input(self):
        return self._single("input", 0)

    @property
    def output(self):
        return self._single("output", 1)

    def _single(self, what, index):
        if not self._inbound:
            raise AttributeError(f"Layer {self.name} has no {what}: it has not been called yet")
        tensors = self._inbound[0][index]
        return tensors[0] if len(tensors) == 1 else tensors

    @property
    def output_shape(self):
        output = self.output
        return tuple(output.shape.as_list()) if not isinstance(output, list) else [
            tuple(o.shape.as_list()) for o in output]

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}>"


def _batch_input_shape(kwargs):
    if kwargs.get("batch_input_shape") is not None:
        return tuple(kwargs["batch_input_shape"])
    if kwargs.get("input_shape") is not None:
        return (kwargs.get("batch_size"), *tuple(kwargs["input_shape"]))
    if kwargs.get("input_dim") is not None:
        length = kwargs.get("input_length")
        return (kwargs.get("batch_size"), *((length,) if length is not None else ()), kwargs["input_dim"])
    if kwargs.get("input_length") is not None:
        return (kwargs.get("batch_size"), kwargs["input_length"])
    return None


def _distinct_from(outputs, inputs):
    """Outputs that are inputs (a layer acting as the identity) become Identity ops,
    so each output tensor records the call that made it."""
    if isinstance(outputs, (list, tuple)):
        return type(outputs)(_distinct_from(o, inputs) for o in outputs)
    return identity(outputs) if any(outputs is x for x in as_list(inputs)) else outputs


def _converted(inputs, dtype):
    if isinstance(inputs, (list, tuple)):
        return [_converted(x, dtype) for x in inputs]
    return convert_to_tensor(inputs, dtype=dtype if dtype is not None and not hasattr(inputs, "op") else None)


def _shapes_of(inputs):
    if isinstance(inputs, list):
        return [x.shape for x in inputs]
    return inputs.shape


def _dtype_of(inputs):
    dtype = as_list(inputs)[0].dtype
    return dtype if dtype.is_floating else dtypes.float32
