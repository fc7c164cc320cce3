"""`tf.data`: input pipelines that feed the graph without a feed_dict.

A `Dataset` describes a stream of elements and runs on the host; an
`Iterator`'s `get_next()` tensors are wired into the graph, so each
`Session.run` of a training step pulls the next element itself.
"""
from .dataset_ops import Dataset
from .iterator_ops import Iterator

__all__ = ["Dataset", "Iterator"]
