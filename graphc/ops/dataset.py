"""Dataset iterator ops: the graph side of `tf.data` (graphc/data/).

A dataset runs on the host, in Python: `MakeIterator` starts a pass over it
and keeps the iterator in the session (`state.resources`, under the
iterator's name); `IteratorGetNext` pulls the next element as its outputs, or
raises `tf.errors.OutOfRangeError` at the end. Neither has an LLVM lowering:
the LLVM executor evaluates an input-less `IteratorGetNext` on the host before
its compiled call and feeds the element in (runtime/host_inputs.py), so a
training step reading `get_next()` stays compiled.
"""
from ..errors import FailedPreconditionError, OutOfRangeError
from ..op_def import OpDef, register

__all__ = []


def _make_iterator_rule(*captured, iterator, dataset):
    return []


def _make_iterator_kernel(ctx, *captured, iterator, dataset):
    ctx.state.resources[iterator] = dataset.iterate(captured)
    return ()


def _get_next_rule(iterator, output_types, output_shapes, dataset=None):
    return list(zip(output_types, output_shapes))


def _get_next_kernel(ctx, iterator, output_types, output_shapes, dataset=None):
    elements = ctx.state.resources.get(iterator)
    if elements is None:
        if dataset is None:
            raise FailedPreconditionError(None, None, "GetNext() failed because the iterator has not been "
                                          "initialized. Ensure that you have run the initializer operation "
                                          "for this iterator before getting the next element.")
        elements = ctx.state.resources[iterator] = dataset.iterate(())  # a one-shot iterator starts itself
    try:
        return tuple(next(elements))
    except StopIteration:
        raise OutOfRangeError(None, None, "End of sequence") from None


register(OpDef("MakeIterator", _make_iterator_rule, _make_iterator_kernel, stateful=True, differentiable=False))
register(OpDef("IteratorGetNext", _get_next_rule, _get_next_kernel, stateful=True, differentiable=False))
