"""`Model`: a network with Keras's training loop.

`compile` resolves the optimizer, losses and metrics; the first `fit` or
`evaluate` builds the training graph (targets shaped like the data, the mean
loss plus the layers' regularization losses, the metrics, the optimizer's
update, the layers' updates and the weight constraints after it) and compiles
one training callable and one evaluation callable with `Session.make_callable`.
Every batch, the last smaller one included, reuses them: the batch axis of
every placeholder is unknown, so a new batch size needs no recompilation.
"""
import time

import numpy as np

from .. import dtypes
from ..graph import get_default_graph
from ..graph import control_dependencies
from ..ops.control import group
from ..ops.inputs import placeholder
from ..ops.math import add_n, multiply, reduce_mean
from ..ops.building import convert_to_tensor
from ..variables import assign
from .. import keras_losses
from . import backend, callbacks as callbacks_module, metrics as metrics_module, optimizers
from .network import Network

__all__ = ["Model"]


class Model(Network):
    """`Model(inputs, outputs)` (functional), or a subclass defining `call`."""

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        super().__init__(inputs, outputs, name=name, **kwargs)
        self.optimizer = None
        self.stop_training = False
        self.history = None
        self._training_graphs, self._callables = {}, {}

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, **kwargs):
        if loss is None:
            raise ValueError("compile: a loss is required (a Keras loss name or a function of (y_true, y_pred))")
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        self._loss_specs, self._metric_specs, self._loss_weights = loss, list(metrics or []), loss_weights
        self._training_graphs, self._callables = {}, {}

    # -- the graph of training ----------------------------------------------------
    def _losses_per_output(self):
        specs = self._loss_specs if isinstance(self._loss_specs, (list, tuple)) else [self._loss_specs] * len(
            self.outputs)
        if len(specs) != len(self.outputs):
            raise ValueError(f"compile: {len(specs)} losses for a model of {len(self.outputs)} outputs")
        return [keras_losses.get(spec) for spec in specs]

    def _graph_for(self, ys):
        """(targets, total loss, [(name, metric)], train op) for targets shaped like `ys`."""
        key = tuple((y.shape[1:], y.dtype.kind) for y in ys)
        if key in self._training_graphs:
            return self._training_graphs[key]
        if self.optimizer is None:
            raise RuntimeError("You must compile your model before training/testing. Use `model.compile(optimizer, "
                               "loss)`.")
        loss_fns = self._losses_per_output()
        for fn, output, y in zip(loss_fns, self.outputs, ys):
            _check_target(fn, output, y)
        graph = get_default_graph()
        with graph.as_default(), graph.name_scope("training"):
            targets = [placeholder(dtypes.float32, [None, *y.shape[1:]], name=f"{_layer_name(o)}_target")
                       for o, y in zip(self.outputs, ys)]
            weights = self._loss_weights or [1.0] * len(self.outputs)
            output_losses = [reduce_mean(fn(t, o)) for fn, t, o in zip(loss_fns, targets, self.outputs)]
            total = add_n([multiply(convert_to_tensor(w, dtype=l.dtype), l) if w != 1 else l
                           for w, l in zip(weights, output_losses)] + self.losses, name="loss")
            named_metrics = []
            for fn, t, o in zip(loss_fns, targets, self.outputs):
                for spec in self._metric_specs:
                    name, metric = metrics_module.resolve(spec, fn, o)
                    if len(self.outputs) > 1:
                        name = f"{_layer_name(o)}_{name}"
                    named_metrics.append((name, reduce_mean(metric(t, o))))
            train_op = self._train_op(total)
        self._training_graphs[key] = targets, total, named_metrics, train_op
        return self._training_graphs[key]

    def _train_op(self, total):
        step = self.optimizer.minimize(total, var_list=self.trainable_weights)
        with control_dependencies([step]):
            constrained = [assign(w, w.constraint(w)) for w in self.trainable_weights if w.constraint is not None]
        return group(step, *self.updates, *constrained)

    def _callable(self, kind, ys):
        """The compiled 'train' or 'test' callable for targets shaped like `ys`."""
        targets, total, named_metrics, train_op = self._graph_for(ys)
        cache_key = (kind, tuple(id(t) for t in targets))
        function = self._callables.get(cache_key)
        session = backend.get_session()
        if function is None or function[0] is not session:
            fetches = [total] + [m for _, m in named_metrics]
            feeds = list(self.inputs) + targets
            phase = backend.existing_learning_phase(get_default_graph())
            if kind == "train":
                fetches = [train_op] + fetches
                if phase is not None:
                    feeds.append(phase)
            function = self._callables[cache_key] = (session, session.make_callable(fetches, feeds),
                                                     phase is not None and kind == "train")
        _, run, feeds_phase = function
        names = ["loss"] + [name for name, _ in named_metrics]

        def call(arrays):
            values = run(*arrays, *((True,) if feeds_phase else ()))
            return dict(zip(names, values[1:] if kind == "train" else values))
        return call

    # -- the loop ---------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, initial_epoch=0, steps_per_epoch=None, **kwargs):
        xs, ys = _arrays(x), _targets(y)
        self._build_on(xs)
        if validation_data is None and validation_split:
            split = int(len(xs[0]) * (1 - validation_split))
            validation_data = ([a[split:] for a in xs], [a[split:] for a in ys])
            xs, ys = [a[:split] for a in xs], [a[:split] for a in ys]
        validation = None if validation_data is None else (_arrays(validation_data[0]), _targets(validation_data[1]))
        batch_size = batch_size or 32
        train = self._callable("train", ys)
        self.history = callbacks_module.History()
        hooks = callbacks_module.CallbackList([*(callbacks or []), self.history], self, {
            "batch_size": batch_size, "epochs": epochs, "samples": len(xs[0]), "verbose": verbose})
        self.stop_training = False
        hooks.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            hooks.on_epoch_begin(epoch)
            started = time.perf_counter()
            order = np.random.permutation(len(xs[0])) if shuffle else np.arange(len(xs[0]))
            logs = _mean_over_batches(train, self._feeder(xs, ys), order, batch_size, hooks)
            if validation is not None:
                logs.update({f"val_{k}": v for k, v in self._evaluate_logs(*validation, batch_size).items()})
            if verbose:
                print(f"Epoch {epoch + 1}/{epochs} - {time.perf_counter() - started:.2f}s - " +
                      " - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
            hooks.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        hooks.on_train_end()
        return self.history

    def _evaluate_logs(self, xs, ys, batch_size):
        return _mean_over_batches(self._callable("test", ys), self._feeder(xs, ys), np.arange(len(xs[0])),
                                  batch_size)

    def _feeder(self, xs, ys):
        """The feed values (inputs, then targets) for some rows of the data."""
        return lambda rows: _as_feeds(xs, self.inputs, rows) + [np.asarray(a[rows], np.float32) for a in ys]

    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, **kwargs):
        """The loss (and metrics, as a list) over the data, without training."""
        xs, ys = _arrays(x), _targets(y)
        self._build_on(xs)
        logs = self._evaluate_logs(xs, ys, batch_size or 32)
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose=0, **kwargs):
        """The outputs for `x`, computed in batches (never training)."""
        xs = _arrays(x)
        self._build_on(xs)
        session = backend.get_session()
        function = self._callables.get("predict")
        if function is None or function[0] is not session:
            function = self._callables["predict"] = (session, session.make_callable(self.outputs, self.inputs))
        run, size, batch_size = function[1], len(xs[0]), batch_size or 32
        batches = [run(*_as_feeds(xs, self.inputs, slice(start, start + batch_size)))
                   for start in range(0, size, batch_size)]
        outputs = [np.concatenate(parts) for parts in zip(*batches)]
        return outputs[0] if len(outputs) == 1 else outputs

    def train_on_batch(self, x, y):
        xs, ys = _arrays(x), _targets(y)
        self._build_on(xs)
        logs = self._callable("train", ys)(self._feeder(xs, ys)(slice(None)))
        values = [float(v) for v in logs.values()]
        return values[0] if len(values) == 1 else values

    def test_on_batch(self, x, y):
        values = list(self._evaluate_logs(_arrays(x), _targets(y), len(_arrays(x)[0])).values())
        return values[0] if len(values) == 1 else values

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=len(_arrays(x)[0]))


def _layer_name(tensor):
    history = getattr(tensor, "_keras_history", None)
    return history[0].name if history else tensor.op.name


def _arrays(data):
    if data is None:
        raise ValueError("fit/evaluate/predict need data (numpy arrays)")
    return [np.asarray(a) for a in (data if isinstance(data, (list, tuple)) else [data])]


def _check_target(loss_fn, output, y):
    """Targets must have the output's shape, except integer labels for a sparse loss."""
    if getattr(loss_fn, "__name__", "").startswith("sparse"):
        return
    expected = output.shape.as_list()[1:]
    if len(expected) != y.ndim - 1 or any(e not in (None, g) for e, g in zip(expected, y.shape[1:])):
        raise ValueError(f"Error when checking target: expected {_layer_name(output)} to have shape "
                         f"{tuple([None, *expected])} but got array with shape {y.shape}")


def _targets(data):
    """Target arrays, a vector of one target per example made a column (as Keras does)."""
    return [a[:, None] if a.ndim == 1 else a for a in _arrays(data)]


def _as_feeds(xs, inputs, rows=slice(None)):
    return [np.asarray(a[rows], t.dtype.np) for a, t in zip(xs, inputs)]


def _mean_over_batches(run, feed, order, batch_size, hooks=None):
    """Each log's mean over the examples of `order`, run `batch_size` at a time."""
    sums, count = {}, 0
    for index, start in enumerate(range(0, len(order), batch_size)):
        rows = order[start:start + batch_size]
        if hooks is not None:
            hooks.on_batch_begin(index, {"batch": index, "size": len(rows)})
        logs = run(feed(rows))
        for name, value in logs.items():
            sums[name] = sums.get(name, 0.0) + float(value) * len(rows)
        count += len(rows)
        if hooks is not None:
            hooks.on_batch_end(index, {"batch": index, "size": len(rows), **{k: float(v) for k, v in logs.items()}})
    return {name: total / count for name, total in sums.items()}
