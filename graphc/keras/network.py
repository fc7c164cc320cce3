"""A Keras network: layers wired from input placeholders to output tensors.

A functional model is found by walking back from its outputs along the layer
calls that made them (`_keras_history`); the graph it runs is the one those
calls already built. Called on other tensors, the model replays the same layer
calls on them (sharing the weights). A subclassed model (with its own `call`)
and a Sequential model without an input shape are built on the first data
they see. The weights are saved in graphc's checkpoint format.
"""
import numpy as np

from .. import shapes
from ..graph import get_default_graph
from ..layers.base import Layer, as_list
from ..ops.control import group
from ..ops.inputs import placeholder
from ..train import checkpoint_io
from ..variables import assign
from . import backend
from .layers.input_layer import Input, InputLayer

__all__ = ["Network"]


class Network(Layer):
    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.inputs, self.outputs, self._nodes = None, None, []
        self._assigner = None
        if inputs is not None or outputs is not None:
            self._init_graph(as_list(inputs), as_list(outputs))

    def _init_graph(self, inputs, outputs):
        self.inputs, self.outputs = list(inputs), list(outputs)
        self._nodes = _nodes_between(self.inputs, self.outputs)
        self.built = True

    # -- structure -------------------------------------------------------------
    @property
    def layers(self):
        seen = []
        for layer, _, _ in self._nodes:
            if layer not in seen:
                seen.append(layer)
        return seen

    @property
    def weights(self):
        weights = list(self._weights)
        for layer in self.layers:
            weights += [w for w in layer.weights if w not in weights]
        return weights

    @property
    def trainable_weights(self):
        return [w for w in self.weights if w.trainable] if self.trainable else []

    @property
    def losses(self):
        losses = []
        for layer in self.layers:
            losses += [loss for loss in layer.losses if loss not in losses]
        return losses

    @property
    def updates(self):
        return [update for layer in self.layers for update in layer.updates]

    def get_layer(self, name=None, index=None):
        layers = self.layers
        if index is not None:
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in layers]}")

    @property
    def input_shape(self):
        return _shape_of(self.inputs)

    @property
    def output_shape(self):
        self._require_built("output_shape")
        return _shape_of(self.outputs)

    def _require_built(self, what):
        if self.outputs is None:
            raise ValueError(f"{what}: the model {self.name} has not been built yet. Give its first layer an "
                             "`input_shape`, or call it (or fit/predict) on data first.")

    # -- building on data ------------------------------------------------------
    def _build_on(self, arrays):
        """Build a model without inputs on placeholders shaped like `arrays`."""
        if self.outputs is not None:
            return
        inputs = [Input(batch_shape=(None, *a.shape[1:]), dtype="float32") for a in arrays]
        self._init_graph(inputs, as_list(self._apply(inputs[0] if len(inputs) == 1 else inputs)))

    def _apply(self, inputs):
        """The model's layers applied to `inputs` (subclasses: their `call`)."""
        return Layer.__call__(self, inputs)

    def __call__(self, inputs, **kwargs):
        if not self._nodes:
            return self._apply(inputs)
        mapping = {id(t): x for t, x in zip(self.inputs, as_list(inputs))}
        for layer, layer_inputs, output in self._nodes:
            if isinstance(layer, InputLayer):
                continue
            args = [mapping[id(t)] for t in layer_inputs]
            mapping[id(output)] = layer(args[0] if len(args) == 1 else args)
        outputs = [mapping[id(t)] for t in self.outputs]
        return outputs[0] if len(outputs) == 1 else outputs

    # -- weights ---------------------------------------------------------------
    def count_params(self):
        self._require_built("count_params")
        return sum(_size(w) for w in self.weights)

    def get_weights(self):
        return backend.batch_get_value(self.weights)

    def set_weights(self, values):
        weights = self.weights
        if len(values) != len(weights):
            raise ValueError(f"set_weights: the model {self.name} has {len(weights)} weights, but {len(values)} "
                             "values were given")
        for w, value in zip(weights, values):
            if tuple(w.shape.as_list()) != np.shape(value):
                raise ValueError(f"set_weights: weight {w.name} has shape {tuple(w.shape.as_list())}, "
                                 f"the value has shape {np.shape(value)}")
        session = backend.get_session()
        if self._assigner is None or self._assigner[:2] != (session, len(weights)):
            self._assigner = (session, len(weights), _assigner(weights, session))
        self._assigner[2](*[np.asarray(v, w.dtype.np) for v, w in zip(values, weights)])

    def save_weights(self, filepath, overwrite=True, save_format=None):
        """The weights as the graphc checkpoint `filepath` (filepath.index, filepath.data)."""
        checkpoint_io.write_checkpoint(str(filepath), {w.op.name: v for w, v in zip(self.weights, self.get_weights())})

    def load_weights(self, filepath, by_name=False):
        """Weights from `save_weights`: by variable name when every name is found
        (or `by_name`), else in order, as Keras loads HDF5 weights."""
        stored = checkpoint_io.read_checkpoint(str(filepath))
        weights = self.weights
        if by_name or all(w.op.name in stored for w in weights):
            missing = [w.op.name for w in weights if w.op.name not in stored]
            if missing:
                raise ValueError(f"load_weights: {filepath} has no weights named {missing}")
            values = [stored[w.op.name] for w in weights]
        else:
            values = list(stored.values())
        self.set_weights(values)

    # -- summary ---------------------------------------------------------------
    def summary(self, line_length=65, print_fn=None):
        """Keras's table: each layer, its output shape and parameter count, then the totals."""
        self._require_built("summary")
        print_fn = print_fn or print
        columns = [0.45, 0.85, 1.0]
        positions = [int(line_length * c) for c in columns]

        def row(fields):
            line = ""
            for field, end in zip(fields, positions):
                line = (line + str(field))[:end - 1].ljust(end)
            print_fn(line.rstrip())
        print_fn(f'Model: "{self.name}"')
        print_fn("_" * line_length)
        row(["Layer (type)", "Output Shape", "Param #"])
        print_fn("=" * line_length)
        rows = self._summary_rows()
        for i, (layer, output) in enumerate(rows):
            row([f"{layer.name} ({type(layer).__name__})", _shape_text(output), layer.count_params()])
            print_fn(("=" if i == len(rows) - 1 else "_") * line_length)
        trainable = sum(_size(w) for w in self.trainable_weights)
        total = self.count_params()
        print_fn(f"Total params: {total:,}")
        print_fn(f"Trainable params: {trainable:,}")
        print_fn(f"Non-trainable params: {total - trainable:,}")
        print_fn("_" * line_length)

    def _summary_rows(self):
        return [(layer, output) for layer, _, output in self._nodes]


def _nodes_between(inputs, outputs):
    """(layer, its input tensors, its output) for every layer call from `inputs`
    to `outputs`, in an order where each call follows those it depends on."""
    nodes, seen = [], set()
    input_ids = {id(t) for t in inputs}

    def visit(tensor):
        if id(tensor) in seen:
            return
        seen.add(id(tensor))
        history = getattr(tensor, "_keras_history", None)
        if id(tensor) in input_ids:
            if history is not None:
                nodes.append((history[0], [], tensor))
            return
        if history is None:
            raise ValueError(f"Graph disconnected: tensor {tensor.name} was not made by Keras layers from the "
                             f"model's inputs {[t.name for t in inputs]}")
        layer, layer_inputs = history
        for x in layer_inputs:
            visit(x)
        nodes.append((layer, layer_inputs, tensor))

    for t in inputs:
        visit(t)
    for t in outputs:
        visit(t)
    return nodes


def _assigner(weights, session):
    """A callable assigning fed values to all the weights in one run."""
    graph = get_default_graph()
    with graph.as_default(), graph.name_scope("keras_set_weights"):
        feeds = [placeholder(w.dtype, w.shape) for w in weights]
        op = group(*[assign(w, p) for w, p in zip(weights, feeds)])
    return session.make_callable(op, feeds)


def _size(weight):
    return int(shapes.as_shape(weight.shape).num_elements())


def _shape_of(tensors):
    shapes_ = [tuple(t.shape.as_list()) for t in tensors]
    return shapes_[0] if len(shapes_) == 1 else shapes_


def _shape_text(tensor):
    dims = tensor.shape.as_list()
    return "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"
