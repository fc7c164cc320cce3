"""Ops the host evaluates before the compiled call.

Some stateful ops produce their values in Python: a dataset iterator's
`IteratorGetNext` pulls the next element of a host pipeline, a candidate
sampler draws a set of distinct classes. Native code cannot run them, but when
such an op has no inputs its values do not depend on anything the plan
computes. So the plan is compiled with the op's outputs as extra feeds, and
every run first evaluates the op with its reference kernel and feeds the
results in: a training step that reads `get_next()` stays one native call.
"""
import dataclasses

import numpy as np
from graphc.passes.prune import execution_order

from .reference import ReferenceExecutable

HOST_OPS = frozenset({"IteratorGetNext", "LogUniformCandidateSampler"})


def host_outputs(targets, feeds):
    """The outputs of the input-less host ops a run of `targets` needs."""
    return [t for op in execution_order(targets, feeds)
            if op.type in HOST_OPS and not op.inputs and not op.control_inputs for t in op.outputs]


class HostFedExecutable:
    """A compiled plan whose host ops' outputs are fed, and the reference
    kernels that compute them before each run."""

    def __init__(self, executor, graph, targets, feeds, hosted, options):
        ranks = tuple(options.feed_ranks or [None] * len(feeds)) + tuple(t.shape.ndims for t in hosted)
        self._compiled = executor.compile(graph, targets, list(feeds) + hosted,
                                          dataclasses.replace(options, feed_ranks=ranks))
        self._host = ReferenceExecutable(hosted, [])
        self._dtypes = [t.dtype.np for t in hosted]

    def run(self, feed_values, state):
        host_values = [np.asarray(v, dtype=d, order="C") for v, d in zip(self._host.run([], state), self._dtypes)]
        return self._compiled.run(list(feed_values) + host_values, state)

    def __getattr__(self, name):  # introspection (graph, pass_log, kernels, memory) is the compiled plan's
        return getattr(self._compiled, name)
