"""What `graphc bench` prints and writes: a progress line per cell, the
tables at the end (markdown, so docs/benchmarks.md can quote them), and the
JSON of every cell's raw numbers."""
import statistics

GIGA = 1e9  # rates are GB/s or GFLOP/s
_TIME_UNITS = ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns"))


def format_time(seconds):
    """Three significant digits in the largest unit that keeps the number >= 1."""
    scale, unit = next(((s, u) for s, u in _TIME_UNITS if abs(seconds) >= s), _TIME_UNITS[-1])
    return f"{seconds / scale:.3g} {unit}"


def rate(cell):
    """Achieved GB/s or GFLOP/s of a measured cell, or None."""
    if cell.work is None or cell.measurement is None:
        return None
    return cell.work / cell.measurement.median / GIGA


def limits(cells):
    """The machine's limit per unit: numpy's rate on the W0 rows."""
    return {cell.case.unit: rate(cell) for cell in cells
            if cell.case.limit and cell.column.label == "numpy" and cell.measurement}


def progress(cell, done, total):
    head = f"[{done:>{len(str(total))}}/{total}] {cell.case.key:<12} {cell.column.label:<14}"
    if cell.status == "wrong":
        line = f"{head} FAIL wrong result: {cell.message}"
    elif cell.status == "error":
        line = f"{head} ERROR {cell.message}"
    else:
        m = cell.measurement
        line = (f"{head} {format_time(m.median):>9}  (min {format_time(m.min)}, max {format_time(m.max)}, "
                f"{len(m.samples)}x{m.calls_per_sample} calls; build + first run {format_time(m.setup + m.first)})")
    return "".join([line] + [f"\n    note: {note}" for note in cell.notes])


def _median_text(cell):
    return format_time(cell.measurement.median) if cell.measurement else {"wrong": "WRONG", "error": "error"}[cell.status]


def _markdown(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def limit_time(cell, machine):
    """The time the cell's work takes at the machine's W0 rate, if known."""
    limit = machine.get(cell.case.unit)
    return format_time(cell.work / (limit * GIGA)) if limit and cell.work else "—"


def medians_table(cells, columns):
    """Every case against every column: median time per call, and the time
    the case's bytes or flops take at W0's rate."""
    labels = [c.label for c in columns if any(cell.column is c for cell in cells)]
    first = {}
    for cell in cells:
        first.setdefault(cell.case.key, cell)
    by_key = {(cell.case.key, cell.column.label): cell for cell in cells}
    machine = limits(cells)
    rows = [[key] + [_median_text(by_key[key, label]) if (key, label) in by_key else "—" for label in labels]
            + [limit_time(cell, machine)] for key, cell in first.items()]
    return _markdown(["case"] + labels + ["W0 limit"], rows)


def graphc_table(cells):
    """graphc's cells in detail: spread, compile time, rate, and ratios."""
    machine = limits(cells)
    rows = []
    for cell in cells:
        if cell.column.label != "graphc":
            continue
        m = cell.measurement
        if m is None:
            rows.append([cell.case.key, cell.label, _median_text(cell)] + [""] * 5)
            continue
        peers = [c for c in cells if c.case is cell.case and c.column.label != "graphc" and c.measurement]
        numpy = next((c for c in peers if c.column.label == "numpy"), None)
        best = min(peers, key=lambda c: c.measurement.median, default=None)
        achieved, limit = rate(cell), machine.get(cell.case.unit)
        rows.append([
            cell.case.key, cell.label,
            f"{format_time(m.median)} ({format_time(m.min)}–{format_time(m.max)})",
            format_time(m.setup + m.first),
            f"{achieved:.3g} {cell.case.unit}" if achieved else "",
            f"{achieved / limit:.0%}" if achieved and limit else "",
            f"{m.median / numpy.measurement.median:.2f}" if numpy else "",
            f"{m.median / best.measurement.median:.2f} ({best.column.label})" if best else "",
        ])
    return _markdown(["case", "what", "median (min–max)", "build + first run", "rate", "of W0 limit",
                      "time / numpy", "time / best peer"], rows)


def checks_table(results):
    verdict = {True: "pass", False: "FAIL", None: "not measured"}
    return _markdown(["target", "result", "measured"],
                     [[f"{r.check.workload}: {r.check.label}", verdict[r.passed], r.detail] for r in results])


def text(cells, columns, checks, meta):
    """The end-of-run report."""
    machine = limits(cells)
    parts = [f"graphc bench, {meta['date']}: {meta['machine']}",
             "versions: " + "; ".join(dict.fromkeys(meta["versions"].values())),
             f"command: {meta['command']}"]
    parts += [f"skipped {note}" for note in meta["skipped"]]
    if machine:
        parts.append("W0 limits (numpy): " + ", ".join(f"{v:.3g} {unit}" for unit, v in machine.items()))
    parts += ["", "Median time per call (lower is better):", "", medians_table(cells, columns),
              "", "graphc (ratios are graphc's time over the peer's; below 1 is faster):", "", graphc_table(cells)]
    if checks:
        parts += ["", "Targets (issues 4 and 5):", "", checks_table(checks)]
    failures = [f"FAIL {c.case.key} [{c.column.label}]: wrong result: {c.message}" for c in cells if c.status == "wrong"]
    return "\n".join(parts + ([""] + failures if failures else [])) + "\n"


def to_json(cells, checks, meta):
    """Every cell's raw numbers (seconds), for tools and later comparison."""
    def cell_json(cell):
        m = cell.measurement
        return {"case": cell.case.key, "workload": cell.case.workload, "label": cell.label,
                "column": cell.column.label, "family": cell.column.family, "status": cell.status,
                "message": cell.message, "notes": cell.notes, "inputs": cell.inputs,
                "work": cell.work, "unit": cell.case.unit, "rate": rate(cell),
                **({"setup_s": m.setup, "first_s": m.first, "median_s": m.median, "min_s": m.min,
                    "max_s": m.max, "mean_s": statistics.fmean(m.samples), "samples_s": m.samples,
                    "calls_per_sample": m.calls_per_sample} if m else {})}
    return {"meta": meta, "limits": limits(cells), "cells": [cell_json(c) for c in cells],
            "checks": [{"workload": r.check.workload, "target": r.check.label, "passed": r.passed,
                        "detail": r.detail} for r in checks]}
