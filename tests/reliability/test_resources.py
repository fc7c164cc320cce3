"""Memory does not grow without bound: runs allocate nothing that stays,
compiled code of dropped plans is freed, and a Session keeps a bounded number
of plans. RSS is measured in a subprocess (resource_probe.py); CI runs 100,000
runs and 80 compilations, docs/reliability.md gives the long run (1,000 + 1,000)."""
import gc
import json
import os
import subprocess
import sys
import weakref

import numpy as np

import graphc as tf
from graphc import session as session_lib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Each cache miss leaves ~0.1-0.25 MiB inside llvmlite 0.50's optimisation
# pipeline (docs/reliability.md); a leaked engine would add ~70 KiB per hit.
MISS_GROWTH_BOUND_MIB = 0.5


def test_runs_and_compilations_do_not_grow_memory_without_bound(tmp_path):
    done = subprocess.run([sys.executable, "-m", "tests.reliability.resource_probe", "100000", "20", "60"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "GRAPHC_CACHE_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["misses"] == 30 and result["hits"] == 90  # warm-ups included: each compilation really ran
    assert result["run_growth_mib"] < 1.0, result
    assert result["hit_growth_mib"] < 2.0, result
    assert result["miss_growth_mib"] < MISS_GROWTH_BOUND_MIB * 20, result


def test_a_session_keeps_a_bounded_number_of_plans_and_frees_the_others(monkeypatch):
    monkeypatch.setattr(session_lib, "_MAX_PLANS", 4)
    x = tf.placeholder(tf.float32, [None])
    sess = tf.Session()
    compiled = []
    for i in range(10):
        y = tf.tanh(x) * float(i + 2)
        np.testing.assert_allclose(sess.run(y, {x: np.ones(2, np.float32)}), np.tanh(1.0) * (i + 2), rtol=1e-6)
        compiled.append(weakref.ref(sess.make_callable(y, [x]).plan.compiled))
    gc.collect()
    assert len(sess._plans) == 4
    alive = [ref() is not None for ref in compiled]
    assert alive == [False] * 6 + [True] * 4
