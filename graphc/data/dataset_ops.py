"""`tf.data.Dataset` and its transformations, run on the host.

A Dataset knows the structure, dtypes and static shapes of its elements, and
the graph tensors it captures (`from_tensor_slices` of a placeholder); an
iterator's initializer evaluates those and starts a pass (`iterate`), a
Python generator of flat element lists that `IteratorGetNext` pulls from.
"""
import collections
from dataclasses import dataclass

import numpy as np

from .. import dtypes, shapes
from ..errors import InvalidArgumentError
from ..graph import Tensor
from ..ops.building import constant_value, to_array
from ..ops.random import get_seed
from . import structure as nest
from .tracing import TracedFunction


@dataclass(frozen=True)
class ElementSpec:
    """The dtype and static shape of one component of an element."""
    dtype: dtypes.DType
    shape: shapes.TensorShape


class Dataset:
    """TF1 `tf.data.Dataset`. Subclasses set `_input` (or None) and define
    `_elements(run)`, a generator of flat element lists for one pass."""

    def __init__(self, spec, captures=()):
        self._spec = spec              # the element structure, of ElementSpecs
        self._captures = list(captures)  # graph tensors the initializer evaluates

    # -- sources ----------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors):
        """Elements are the slices along the first dimension of `tensors`
        (arrays, lists, tensors, or tuples and dicts of them)."""
        return _TensorSlices(tensors)

    # -- transformations ----------------------------------------------------------
    def repeat(self, count=None):
        """The elements `count` times over (forever when None or -1)."""
        return _Repeat(self, -1 if count is None else int(count))

    def batch(self, batch_size, drop_remainder=False):
        """Consecutive elements stacked `batch_size` at a time; a last, smaller
        batch is kept unless `drop_remainder`."""
        return _Batch(self, int(batch_size), bool(drop_remainder))

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True):
        """Elements drawn at random from a buffer of the next `buffer_size`
        (TF's algorithm): a full shuffle when the buffer holds the dataset."""
        return _Shuffle(self, int(buffer_size), seed, reshuffle_each_iteration)

    def map(self, map_func, num_parallel_calls=None):
        """`map_func` applied to every element: traced once into graph ops
        (a tuple element is passed as separate arguments, as in TF1)."""
        return _Map(self, map_func)

    def prefetch(self, buffer_size):
        """The same dataset: elements are produced when a step pulls them, so
        there is nothing to overlap with."""
        return self

    def take(self, count):
        """At most the first `count` elements (all of them when -1)."""
        return _Take(self, int(count))

    # -- iterators --------------------------------------------------------------
    def make_one_shot_iterator(self):
        """An iterator that starts by itself on its first `get_next` (no initializer)."""
        from .iterator_ops import Iterator
        if self._captures:
            names = ", ".join(f"'{t.name}'" for t in self._captures)
            raise ValueError(f"make_one_shot_iterator: the dataset uses the graph tensors {names}, which "
                             "must be evaluated when the iterator starts; use make_initializable_iterator() "
                             "and run its initializer (with a feed_dict for placeholders)")
        return Iterator(self, one_shot=True)

    def make_initializable_iterator(self, shared_name=None):
        """An iterator that (re)starts whenever its `initializer` runs."""
        from .iterator_ops import Iterator
        return Iterator(self, one_shot=False, shared_name=shared_name)

    # -- element structure ----------------------------------------------------------
    @property
    def output_types(self):
        return nest.map_structure(lambda s: s.dtype, self._spec)

    @property
    def output_shapes(self):
        return nest.map_structure(lambda s: s.shape, self._spec)

    @property
    def output_classes(self):
        return nest.map_structure(lambda s: Tensor, self._spec)

    def iterate(self, captured_values):
        """A new pass over the elements, given the values of the captured tensors."""
        return self._elements(_Pass(dict(zip(self._captures, captured_values))))

    def _elements(self, run):
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__.lstrip('_')} types: {self.output_types}, shapes: {self.output_shapes}>"


class _Pass:
    """The state of one pass over a pipeline: the captured values, how many
    times each shuffle started, and each map function's compiled callable."""

    def __init__(self, captured):
        self.captured = captured
        self.epochs = collections.Counter()
        self.callables = {}

    def value(self, component):
        return self.captured[component] if isinstance(component, Tensor) else component

    def next_epoch(self, dataset):
        self.epochs[dataset] += 1
        return self.epochs[dataset] - 1


class _TensorSlices(Dataset):
    def __init__(self, tensors):
        components = [_component(value) for value in nest.flatten(tensors)]
        component_shapes = [shapes.as_shape(c.shape) for c in components]
        leading = {s[0] for s in component_shapes if s.ndims} - {None}
        if not components or any(s.ndims == 0 for s in component_shapes) or len(leading) > 1:
            raise ValueError("from_tensor_slices: every component needs the same first dimension, got shapes "
                             f"{[str(s) for s in component_shapes]}")
        spec = nest.pack(tensors, [ElementSpec(dtypes.as_dtype(c.dtype), s[1:])
                                   for c, s in zip(components, component_shapes)])
        super().__init__(spec, [c for c in components if isinstance(c, Tensor)])
        self._components = components

    def _elements(self, run):
        arrays = [run.value(c) for c in self._components]
        sizes = {len(a) for a in arrays}
        if len(sizes) != 1:
            raise InvalidArgumentError(None, None, "from_tensor_slices: the components have different first "
                                       f"dimensions {[len(a) for a in arrays]}")
        for i in range(sizes.pop()):
            yield [a[i] for a in arrays]


def _component(value):
    """A Tensor to capture, or the value as an array (constant tensors included)."""
    if hasattr(value, "_as_graph_element"):
        value = value._as_graph_element()
    if isinstance(value, Tensor):
        known = constant_value(value)
        return value if known is None else np.asarray(known)
    array = to_array(value)
    array.setflags(write=False)
    return array


class _Repeat(Dataset):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset._spec, input_dataset._captures)
        self._input, self._count = input_dataset, count

    def _elements(self, run):
        epoch = 0
        while self._count < 0 or epoch < self._count:
            empty = True
            for element in self._input._elements(run):
                empty = False
                yield element
            if empty:  # repeating nothing forever would never return
                return
            epoch += 1


class _Take(Dataset):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset._spec, input_dataset._captures)
        self._input, self._count = input_dataset, count

    def _elements(self, run):
        for i, element in enumerate(self._input._elements(run)):
            if i == self._count:
                return
            yield element


class _Batch(Dataset):
    def __init__(self, input_dataset, batch_size, drop_remainder):
        if batch_size < 1:
            raise ValueError(f"batch: batch_size must be at least 1, got {batch_size}")
        size = batch_size if drop_remainder else None
        spec = nest.map_structure(lambda s: ElementSpec(s.dtype, shapes.TensorShape([size]).concatenate(s.shape)),
                                  input_dataset._spec)
        super().__init__(spec, input_dataset._captures)
        self._input, self._size, self._drop = input_dataset, batch_size, drop_remainder

    def _elements(self, run):
        batch = []
        for element in self._input._elements(run):
            batch.append(element)
            if len(batch) == self._size:
                yield _stack(batch)
                batch = []
        if batch and not self._drop:
            yield _stack(batch)


def _stack(elements):
    stacked = []
    for k, parts in enumerate(zip(*elements)):
        shapes_seen = [np.shape(p) for p in parts]
        if len(set(shapes_seen)) > 1:
            other = next(i for i, s in enumerate(shapes_seen) if s != shapes_seen[0])
            raise InvalidArgumentError(None, None, f"batch: cannot batch tensors of different shapes in component "
                                       f"{k}: the first element has shape {list(shapes_seen[0])} and element "
                                       f"{other} has shape {list(shapes_seen[other])}")
        stacked.append(np.stack(parts))
    return stacked


class _Shuffle(Dataset):
    def __init__(self, input_dataset, buffer_size, seed, reshuffle_each_iteration):
        if buffer_size < 1:
            raise ValueError(f"shuffle: buffer_size must be at least 1, got {buffer_size}")
        super().__init__(input_dataset._spec, input_dataset._captures)
        self._input, self._buffer_size, self._reshuffle = input_dataset, buffer_size, reshuffle_each_iteration
        seeds = get_seed(seed)
        self._seeds = seeds if seeds[0] is not None else tuple(int(s) for s in np.random.SeedSequence().generate_state(2))

    def _elements(self, run):
        epoch = run.next_epoch(self) if self._reshuffle else 0
        rng = np.random.default_rng([*self._seeds, epoch])
        buffer = []
        for element in self._input._elements(run):
            if len(buffer) < self._buffer_size:
                buffer.append(element)
                continue
            i = rng.integers(len(buffer))
            yield buffer[i]
            buffer[i] = element
        while buffer:
            i = rng.integers(len(buffer))
            buffer[i], buffer[-1] = buffer[-1], buffer[i]
            yield buffer.pop()


class _Map(Dataset):
    def __init__(self, input_dataset, map_func):
        self._function = TracedFunction(map_func, input_dataset._spec, ElementSpec)
        super().__init__(self._function.output_spec, input_dataset._captures)
        self._input = input_dataset

    def _elements(self, run):
        call = run.callables.get(self)
        if call is None:
            call = run.callables[self] = self._function.callable()
        for element in self._input._elements(run):
            yield call(*element)
