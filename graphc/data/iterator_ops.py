"""`tf.data.Iterator`: the graph ops through which a dataset feeds a model."""
from .. import graph as graph_lib
from ..ops import dataset as _dataset_ops  # noqa: F401  (registers MakeIterator, IteratorGetNext)
from . import structure as nest


class Iterator:
    """Made by `Dataset.make_one_shot_iterator()` or
    `make_initializable_iterator()`; `get_next()` returns tensors (in the
    dataset's element structure) that take the next element on every run."""

    def __init__(self, dataset, one_shot, shared_name=None):
        self._graph = graph_lib.get_default_graph()
        self._name = self._graph.unique_name(shared_name or "Iterator")
        self._dataset = dataset
        self._one_shot = one_shot
        self._initializer = None
        if not one_shot:
            self._initializer = self._graph.create_op(
                "MakeIterator", list(dataset._captures), {"iterator": self._name, "dataset": dataset},
                name=self._name + "/MakeIterator", exact_name=False)

    @property
    def initializer(self):
        """The op that (re)starts the iterator at the dataset's first element."""
        if self._initializer is None:
            raise ValueError("Iterator does not have an initializer: a one-shot iterator starts by itself")
        return self._initializer

    def get_next(self, name=None):
        """Tensors of the next element; running them at the end raises `tf.errors.OutOfRangeError`."""
        flat = nest.flatten(self._dataset._spec)
        op = self._graph.create_op("IteratorGetNext", [], {
            "iterator": self._name,
            "output_types": tuple(s.dtype for s in flat),
            "output_shapes": tuple(s.shape for s in flat),
            "dataset": self._dataset if self._one_shot else None,
        }, name=name or "IteratorGetNext")
        return nest.pack(self._dataset._spec, op.outputs)

    @property
    def output_types(self):
        return self._dataset.output_types

    @property
    def output_shapes(self):
        return self._dataset.output_shapes

    @property
    def output_classes(self):
        return self._dataset.output_classes
