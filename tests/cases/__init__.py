"""Test cases per op type, as data: inputs, attributes and the numpy result.

Each family module (`tests/cases/<family>.py`) fills `CASES[op_type]` with a
list of `Case`s. The op tests (reference vs numpy now; JIT vs reference and
gradients vs finite differences later) are parametrised over this table, and a
registry test fails when a registered op has no case: a new op is tested
without editing a test.
"""
import importlib
import os
import pkgutil
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np


@dataclass
class Case:
    """`op_type` applied to `inputs` (numpy arrays fed through placeholders)
    with `attrs`; `expected(*inputs)` is the numpy answer (None: only run it)."""
    inputs: list
    attrs: dict = field(default_factory=dict)
    expected: Optional[Callable] = None
    label: str = ""
    static_inputs: tuple = ()  # indices of inputs passed as constants, not placeholders
    rtol: float = 1e-6
    atol: float = 1e-6


CASES = {}
# Ops exercised by dedicated tests instead (they need a variable, a feed or state).
COVERED_ELSEWHERE = {
    "Const": "tests/graphc/test_session.py",
    "Placeholder": "tests/graphc/test_session.py",
    "PlaceholderWithDefault": "tests/graphc/test_session.py",
    "VariableV2": "tests/graphc/test_variables.py",
    "Assign": "tests/graphc/test_variables.py",
    "AssignAdd": "tests/graphc/test_variables.py",
    "AssignSub": "tests/graphc/test_variables.py",
    "IsVariableInitialized": "tests/graphc/test_variables.py",
    "AccumulateMatMul": "tests/passes/test_fuse_updates.py",
    "NoOp": "tests/graphc/test_graph.py",
    "Print": "tests/graphc/test_control_ops.py",
    "CheckNumerics": "tests/graphc/test_control_ops.py",
    "RandomStandardNormal": "tests/graphc/test_random_ops.py",
    "RandomUniform": "tests/graphc/test_random_ops.py",
    "RandomUniformInt": "tests/graphc/test_random_ops.py",
    "TruncatedNormal": "tests/graphc/test_random_ops.py",
    "RandomShuffle": "tests/graphc/test_random_ops.py",
    "ScalarSummary": "tests/io/test_summary.py",
    "HistogramSummary": "tests/io/test_summary.py",
    "MergeSummary": "tests/io/test_summary.py",
    "MakeIterator": "tests/graphc/test_data.py",
    "IteratorGetNext": "tests/graphc/test_data.py",
    "LogUniformCandidateSampler": "tests/graphc/test_sampled_losses.py",
}


def add(op_type, *cases):
    CASES.setdefault(op_type, []).extend(cases)


def all_cases():
    """(id, op_type, case) for every case of every family module."""
    _import_family_modules()
    out = []
    for op_type, cases in sorted(CASES.items()):
        for i, case in enumerate(cases):
            out.append((f"{op_type}-{case.label or i}", op_type, case))
    return out


def _import_family_modules():
    for info in pkgutil.iter_modules([os.path.dirname(__file__)]):
        importlib.import_module(f"{__name__}.{info.name}")


def random_array(rng, shape, dtype=np.float32, low=-3.0, high=3.0):
    if np.dtype(dtype).kind == "b":
        return rng.random(shape) < 0.5
    if np.dtype(dtype).kind in "iu":
        return rng.integers(int(low), int(high) + 1, size=shape).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)
