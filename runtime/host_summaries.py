"""Summary ops the host evaluates after the compiled call.

A summary op turns tensors into a serialised TensorBoard protocol buffer (a
string): host work by nature, and a sink: nothing the plan computes depends on
it. So the plan is compiled for the other targets plus the summaries' inputs,
and after the native call the host runs the summary ops on those values with
their reference kernels: a training step that also fetches `merge_all()` stays
one native call.
"""
from graphc.graph import Tensor
from graphc.passes.prune import execution_order

from .reference import ReferenceExecutable

HOST_AFTER = frozenset({"ScalarSummary", "HistogramSummary", "MergeSummary"})


def summary_ops(targets, feeds):
    """The summary ops a run of `targets` needs, in execution order."""
    return [op for op in execution_order(targets, feeds) if op.type in HOST_AFTER]


class SummarizedExecutable:
    """A compiled plan for the targets that are not summaries and for the
    summaries' inputs, and the reference kernels of the summaries after it."""

    def __init__(self, executor, graph, targets, feeds, summaries, options):
        members = set(summaries)
        inputs = list(dict.fromkeys(t for op in summaries for t in op.inputs if t.op not in members))
        self._is_summary = [(t.op if isinstance(t, Tensor) else t) in members for t in targets]
        plain = [t for t, summary in zip(targets, self._is_summary) if not summary]
        self._compiled = executor.compile(graph, plain + inputs, feeds, options)
        self._plain_count = len(plain)
        self._host = ReferenceExecutable([t for t, summary in zip(targets, self._is_summary) if summary], inputs)

    def run(self, feed_values, state):
        values = self._compiled.run(feed_values, state)
        plain, summaries = iter(values[:self._plain_count]), iter(self._host.run(values[self._plain_count:], state))
        return [next(summaries) if summary else next(plain) for summary in self._is_summary]

    def __getattr__(self, name):  # introspection (graph, pass_log, kernels, memory) is the compiled plan's
        return getattr(self._compiled, name)
