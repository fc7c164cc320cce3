"""Timing and checking of one cell: one implementation of one case.

Every cell goes through the same steps so that its columns compare: build the
implementation (graph construction, session setup: `setup`), call it once
(JITs compile here: `first`), check that result against numpy, then time
calls (a training step's update too, see `check_update`). Inputs are made by
the caller, outside every timed region. Compile time
is reported apart from the steady state, which is the median of at least
`repeat` samples and `seconds` of timed work.
"""
import dataclasses
import gc
import statistics
import time

import numpy as np


@dataclasses.dataclass(frozen=True)
class Budget:
    repeat: int = 5               # timed samples, at least
    seconds: float = 0.5          # timed work, at least
    sample_seconds: float = 0.05  # fast calls are batched until one sample takes this long
    max_samples: int = 1000


QUICK = Budget(repeat=3, seconds=0.05, sample_seconds=0.005)


@dataclasses.dataclass
class Measurement:
    setup: float                  # seconds to build the implementation
    first: float                  # seconds of the first call (compilation, warm-up)
    samples: list                 # seconds per call, one entry per sample
    calls_per_sample: int

    @property
    def median(self):
        return statistics.median(self.samples)

    @property
    def min(self):
        return min(self.samples)

    @property
    def max(self):
        return max(self.samples)


class WrongResult(Exception):
    """An implementation's result differs from numpy's: it is not timed."""


def check(result, expected, tolerance):
    """Raise `WrongResult` unless `result` matches `expected` in shape, dtype
    and value (`np.isclose` with tolerance = (rtol, atol); NaN never matches)."""
    got = np.asarray(result)
    if got.shape != expected.shape or got.dtype != expected.dtype:
        raise WrongResult(f"got {got.dtype}{list(got.shape)}, numpy gives {expected.dtype}{list(expected.shape)}")
    rtol, atol = tolerance
    close = np.isclose(got, expected, rtol=rtol, atol=atol)
    if not close.all():
        where = np.unravel_index(np.argmin(close), close.shape)
        raise WrongResult(f"{close.size - np.count_nonzero(close)} of {close.size} elements differ from numpy; "
                          f"first at {tuple(map(int, where))}: got {got[where]}, expected {expected[where]} "
                          f"(rtol {rtol:g}, atol {atol:g})")


UPDATE_TOLERANCE = 1e-2  # of an update, relative to each element and to the largest element
ROUNDING = 4              # float32 steps (ulps) of a parameter's values that its update may differ by


def check_update(state, before, after):
    """Raise `WrongResult` unless the parameters `state` (name -> value after
    one training step) moved from `before` as numpy's step moved them to
    `after`. The updates are compared, not the values, so that a step that
    changes nothing or the wrong amount cannot hide inside the tolerance."""
    for name, expected in after.items():
        if name not in state:
            raise WrongResult(f"no value of parameter {name!r} after the step")
        delta = expected - before[name]
        try:
            atol = max(UPDATE_TOLERANCE * np.abs(delta).max(initial=0),
                       ROUNDING * np.spacing(np.abs(before[name])).max(initial=0))
            check(np.asarray(state[name]) - before[name], delta, (UPDATE_TOLERANCE, float(atol)))
        except WrongResult as wrong:
            raise WrongResult(f"update of {name!r}: {wrong}") from None


def measure(make, expected, tolerance, budget, self_timed=False, update=None):
    """Build, check and time one implementation. `make()` returns `run`, a
    function of no arguments returning the result; a `self_timed` run returns
    (result, seconds) instead, for work timed elsewhere (another process).
    For a training step, `update` is (parameters before, after numpy's step),
    checked against `run.state()` after the first call."""
    start = time.perf_counter()
    run = make()
    setup = time.perf_counter() - start
    timed_run = run if self_timed else _timed(run)
    result, first = timed_run()
    check(result, expected, tolerance)
    if update is not None:
        if not hasattr(run, "state"):
            raise WrongResult("a training step without `run.state()`: its update cannot be checked")
        check_update(run.state(), *update)
    if self_timed:
        calls, sample = 1, lambda: run()[1]
    else:
        calls = _calls_per_sample(run, budget.sample_seconds)
        sample = lambda: _time_calls(run, calls) / calls
    samples = []
    enabled = gc.isenabled()
    gc.disable()
    try:
        while len(samples) < budget.max_samples and (
                len(samples) < budget.repeat or sum(samples) * calls < budget.seconds):
            samples.append(sample())
    finally:
        if enabled:
            gc.enable()
    return Measurement(setup, first, samples, calls)


def _timed(run):
    def timed_run():
        start = time.perf_counter()
        result = run()
        return result, time.perf_counter() - start
    return timed_run


def _time_calls(run, calls):
    start = time.perf_counter()
    for _ in range(calls):
        run()
    return time.perf_counter() - start


def _calls_per_sample(run, target):
    """How many calls make a sample of at least `target` seconds; the calls
    made to find out are the warm-up."""
    calls = 1
    while True:
        elapsed = _time_calls(run, calls)
        if elapsed >= target:
            return calls
        calls *= 10 if elapsed < target / 10 else 2
