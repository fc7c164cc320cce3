"""Acceptance targets checked after the cells ran (the "Done when" of issues
4 and 5): each a `Check` of one workload, run when that workload is selected,
and reported as pass/FAIL lines: never asserted in tests (timings on a shared
machine are not reproducible)."""
import dataclasses

import numpy as np

import graphc

from . import mlp, tf1, workloads
from .report import format_time, limits, rate
from .workloads import SEED


@dataclasses.dataclass(frozen=True)
class Check:
    workload: str
    label: str
    verdict: object          # cells -> (passed or None if not measured, detail)


def graphc_within(key, peer, ratio):
    """graphc's median at most `ratio` times `peer`'s."""
    def verdict(cells):
        ours, theirs = median(cells, key, "graphc"), median(cells, key, peer)
        if ours is None or theirs is None:
            return None, "not measured"
        return ours <= ratio * theirs, f"{format_time(ours)} vs {format_time(theirs)}: {ours / theirs:.2f}x"
    return verdict


def graphc_under(key, seconds):
    def verdict(cells):
        ours = median(cells, key, "graphc")
        return (None, "not measured") if ours is None else (ours <= seconds, format_time(ours))
    return verdict


def graphc_speedup(slow_key, fast_key, factor):
    """graphc's `fast_key` case at least `factor` times faster than its `slow_key` one."""
    def verdict(cells):
        slow, fast = median(cells, slow_key, "graphc"), median(cells, fast_key, "graphc")
        if slow is None or fast is None:
            return None, "not measured"
        return slow >= factor * fast, f"{format_time(slow)} vs {format_time(fast)}: {slow / fast:.1f}x"
    return verdict


def graphc_bandwidth(key, fraction):
    """graphc's GB/s at least `fraction` of W0's copy bandwidth in this run."""
    def verdict(cells):
        cell, copy = cells.get((key, "graphc")), limits(cells.values()).get(workloads.GB_PER_S)
        if cell is None or cell.measurement is None or copy is None:
            return None, "not measured (needs W0 in the same run)"
        achieved = rate(cell)
        return achieved >= fraction * copy, f"{achieved:.3g} GB/s of {copy:.3g}: {achieved / copy:.0%}"
    return verdict


def compiled_kernels(key, most):
    """graphc compiles the case (at its quick size) to at most `most` kernels,
    with no part left to the reference executor."""
    def verdict(_cells):
        from graphc.runtime.executable import LLVMExecutable
        case = next(case for case in workloads.CASES if case.key == key)
        inputs = case.inputs(np.random.default_rng(SEED), case.quick_size)
        session, fetch, feeds = tf1.graph_of(graphc, case, inputs)
        compiled = session.make_callable(fetch, feeds)
        names = [kernel.name for kernel in compiled.kernels]
        if not isinstance(compiled._plan, LLVMExecutable):
            return False, f"runs on {type(compiled._plan).__name__}, not compiled code"
        return len(names) <= most, f"{len(names)} kernel(s): {', '.join(names)}"
    return verdict


def new_batch_size_reuses_plan(_cells):
    """A compiled MLP step run with a new batch size compiles nothing."""
    from graphc.runtime import jit
    values = mlp.inputs(np.random.default_rng(SEED), mlp.BATCH)
    step = tf1.mlp_graph(graphc, values)
    step.session.run(step.fetches, step.feeds)
    before = jit.stats.hits + jit.stats.misses
    step.session.run(step.fetches, {placeholder: value[:100] for placeholder, value in step.feeds.items()})
    compiled = jit.stats.hits + jit.stats.misses - before
    return compiled == 0, f"{compiled} modules compiled for batch 100 after batch {mlp.BATCH}"


def median(cells, key, column):
    cell = cells.get((key, column))
    return cell.measurement.median if cell and cell.measurement else None


CHECKS = [
    Check("W1", "add of 2^24 floats no slower than numpy", graphc_within("W1 add", "numpy", 1.0)),
    Check("W1", "GELU at least 10x faster than numpy", graphc_within("W1 gelu", "numpy", 1 / 10)),
    Check("W1", "GELU at least 0.4 of W0's copy bandwidth", graphc_bandwidth("W1 gelu", 0.4)),
    Check("W1", "GELU compiles to one kernel", compiled_kernels("W1 gelu", 1)),
    Check("W2", "softmax at least 6x faster than numpy", graphc_within("W2 softmax", "numpy", 1 / 6)),
    Check("W2", "softmax compiles to at most two kernels", compiled_kernels("W2 softmax", 2)),
    Check("W3", "matmul 1024³ within 1.25x numpy", graphc_within("W3 matmul", "numpy", 1.25)),
    Check("W3", "relu(x @ W + b) compiles to one kernel (MatMul, fused epilogue)", compiled_kernels("W3 dense", 1)),
    Check("W4", "MLP step at most 0.65 of numpy's step", graphc_within("W4 step", "numpy", 0.65)),
    Check("W7", "sess.run overhead at most 10 µs", graphc_under("W7 run", 10e-6)),
    Check("W8", "MLP step's first run under 1 s cold", graphc_under("W8 cold", 1.0)),
    Check("W8", "warm disk cache at least 5x faster than cold", graphc_speedup("W8 cold", "W8 warm", 5.0)),
    Check("W8", "a new batch size does not recompile", new_batch_size_reuses_plan),
]
