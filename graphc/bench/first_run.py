"""W8: the time from graph construction to the end of the first training
step, in a fresh process, so that nothing is warm but what the case asks for
(graphc's on-disk kernel cache, for the warm row). Imports are not timed.

The parent side is `in_fresh_process`; the child is
`python -m graphc.bench.first_run FAMILY LABEL INPUTS.npz`, which prints
{"seconds": ..., "result": ...} as its last line."""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from . import mlp


def in_fresh_process(column, warm=False):
    """A self-timed maker running `column`'s MLP step in a child process:
    each child gets a new empty GRAPHC_CACHE_DIR, or, when `warm`, all share
    one that a first (untimed) child filled."""
    def make(case, inputs):
        files = tempfile.TemporaryDirectory(prefix="graphc-bench-")
        path = os.path.join(files.name, "inputs.npz")
        np.savez(path, **inputs)
        command = [sys.executable, "-m", __name__, column.family, column.label, path]
        if warm:
            cache = os.path.join(files.name, "cache")
            _child(command, cache)

        def run():
            if warm:
                return _child(command, cache)
            with tempfile.TemporaryDirectory(dir=files.name) as cold_cache:
                return _child(command, cold_cache)
        run.files = files  # the directory lives as long as `run`
        return run
    return make


def _child(command, cache_dir):
    env = dict(os.environ, GRAPHC_CACHE="1", GRAPHC_CACHE_DIR=cache_dir)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        last_line = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"child process `{' '.join(command[2:])}` failed: {last_line}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return np.float32(report["result"]), report["seconds"]


def main(family, label, path):
    from .runner import load_columns, select
    columns, _ = load_columns([] if family == "graphc" else [family])
    make = next(c for c in columns if c.label == label).kernels[mlp.STEP]
    case = next(case for case in select(["W4"]) if case.key == mlp.STEP)
    with np.load(path) as archive:
        inputs = {name: archive[name] for name in archive.files}
    if family == "graphc":  # the compiler's modules, which the first Session imports: imports are not timed
        import graphc.runtime.executable  # noqa: F401
    start = time.perf_counter()
    loss = make(case, inputs)()
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "result": float(np.asarray(loss))}))


if __name__ == "__main__":
    main(*sys.argv[1:])
