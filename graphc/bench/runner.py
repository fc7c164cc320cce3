"""Runs the selected cases against the selected columns: one cell per
(case, column) that has a kernel, in table order, then the checks."""
import dataclasses
import functools

import numpy as np

from . import harness, peers, targets, workloads


@dataclasses.dataclass
class Cell:
    case: workloads.Case
    column: peers.Column
    label: str                       # what the case measured, at the size run
    status: str                      # "ok", "wrong" (result differs from numpy) or "error"
    measurement: harness.Measurement = None
    message: str = ""
    notes: list = dataclasses.field(default_factory=list)
    inputs: dict = None              # name -> shape, as run
    work: float = None               # bytes or flops of one call, for `case.unit`


@dataclasses.dataclass
class CheckResult:
    check: targets.Check
    passed: object                   # True, False, or None when not measured
    detail: str


def select(only):
    """The cases of the given workload ids (all of them for None)."""
    known = {case.workload for case in workloads.CASES}
    unknown = set(only or ()) - known
    if unknown:
        raise ValueError(f"unknown workload {', '.join(sorted(unknown))}; expected some of {', '.join(sorted(known))}")
    return [case for case in workloads.CASES if only is None or case.workload in only]


def load_columns(families):
    """graphc's column, then those of the peer families; notes on skipped peers."""
    columns, notes = peers.load(families)
    return [workloads.GRAPHC] + columns, notes


def run(cases, columns, budget, quick, on_cell=lambda cell, done, total: None):
    """Every cell, each reported to `on_cell` as it finishes."""
    total = sum(case.kernel(column) is not None for case in cases for column in columns)
    cells = []
    for case in cases:
        size = case.quick_size if quick else case.size
        inputs = case.inputs(np.random.default_rng(workloads.SEED), size)
        expected = np.array(case.numpy(**inputs))
        update = case.update(inputs)
        for column in columns:
            kernel = case.kernel(column)
            if kernel is not None:
                cells.append(run_cell(case, case.describe(size), column, kernel, inputs, expected, budget, update))
                on_cell(cells[-1], len(cells), total)
    return cells


def run_cell(case, label, column, kernel, inputs, expected, budget, update=None):
    cell = Cell(case, column, label, "ok", inputs={name: list(np.shape(v)) for name, v in inputs.items()},
                work=case.work(inputs, expected) if case.work else None)
    with column.watch() as notes:
        try:
            cell.measurement = harness.measure(functools.partial(kernel, case, inputs), expected,
                                               case.tolerance, budget, case.self_timed, update)
        except harness.WrongResult as wrong:
            cell.status, cell.message = "wrong", str(wrong)
        except Exception as error:  # a peer's or graphc's failure is reported, not fatal
            cell.status, cell.message = "error", f"{type(error).__name__}: {error}"
    cell.notes = list(dict.fromkeys(notes))
    return cell


def run_checks(cases, cells):
    selected = {case.workload for case in cases}
    by_key = {(cell.case.key, cell.column.label): cell for cell in cells}
    results = []
    for check in targets.CHECKS:
        if check.workload in selected:
            try:
                passed, detail = check.verdict(by_key)
            except Exception as error:
                passed, detail = False, f"{type(error).__name__}: {error}"
            results.append(CheckResult(check, passed, detail))
    return results
