"""The plan cache (runtime/plan_cache.py): a plan found on disk skips IR
emission and computes bit for bit what a cold compile does; entries that do
not fit are rebuilt; plans differing in anything emission reads never share
an entry; the emission state a hit replays is the one emission leaves."""
import dataclasses
import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from graphc.runtime import executable, jit, plan_cache
from graphc.runtime.lower import LOWERINGS

import graphc as tf
from graphc.bench import mlp
from tests.runtime import plan_cache_probe
from tests.runtime.plan_cache_probe import unknown_batch_graph

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "kernels"
    monkeypatch.setenv("GRAPHC_CACHE_DIR", str(directory))
    for name in ("GRAPHC_CACHE", "GRAPHC_DUMP"):
        monkeypatch.delenv(name, raising=False)
    return directory


def counting(fn):
    """(fn's result, change in jit.stats)."""
    before = dataclasses.replace(jit.stats)
    result = fn()
    return result, {f: getattr(jit.stats, f) - getattr(before, f) for f in ("plan_hits", "plan_misses", "rejected")}


def compiled(graph, x, fetches):
    """A fresh session's callable for `fetches` (compiled now, through the plan cache)."""
    return tf.Session(graph=graph).make_callable(fetches, [x])


def emission_state(plan):
    """What emission leaves in a plan, with tensors by name."""
    def symbol(s):
        return s if isinstance(s, tuple) else (plan.symbols[s][0].name, plan.symbols[s][1])
    return {"symbols": [(t.name, k) for t, k in plan.symbols[1:]],
            "dims": {t.name: repr(d) for t, d in plan.dims.items()},
            "blocks": [([symbol(s) for s in key], offset) for key, offset in plan.dims_blocks.items()],
            "table": plan.dims_table_size, "steps": [step.dims_block for step in plan.steps]}


def run_both(cold, warm, batches):
    for batch in batches:
        for a, b in zip(cold(batch), warm(batch)):
            np.testing.assert_array_equal(a, b)
            assert a.dtype == b.dtype


# -- a second process ---------------------------------------------------------------------
def probe(cache, **environment):
    done = subprocess.run([sys.executable, "-m", "tests.runtime.plan_cache_probe"], cwd=ROOT, check=False,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "GRAPHC_CACHE_DIR": str(cache), **environment})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def decoded(results):
    return [np.frombuffer(bytes.fromhex(data), dtype).reshape(shape) for dtype, shape, data in results]


def test_a_second_process_skips_emission_and_computes_the_same_bits(tmp_path):
    cold, warm = probe(tmp_path), probe(tmp_path)
    uncached = probe(tmp_path / "off", GRAPHC_CACHE="0")
    assert cold["stats"]["plan_hits"] == 0 and cold["stats"]["plan_misses"] >= 4
    assert warm["stats"]["plan_misses"] == 0 and warm["stats"]["plan_hits"] == cold["stats"]["plan_misses"]
    assert warm["stats"]["misses"] == 0 and warm["stats"]["hits"] == cold["stats"]["misses"]
    assert uncached["stats"]["plan_hits"] == 0 and not (tmp_path / "off").exists()
    for results in ("training", "unknown_batch"):
        assert warm[results] == cold[results] == uncached[results]
    # and what they agree on is right: numpy does the same two training steps
    rng = np.random.default_rng(0)
    values = plan_cache_probe.mlp_values(rng)
    batches = [rng.standard_normal((n, 4)).astype(np.float32) for n in (3, 7)]
    params = {k: v.copy() for k, v in values.items()}
    losses = [mlp.numpy_step(params, values["x"], values["y"]) for _ in range(2)]
    got = decoded(cold["training"])
    np.testing.assert_allclose(got[:2], losses, rtol=1e-5)
    for name, value in zip(mlp.PARAMETERS, got[2:]):
        np.testing.assert_allclose(value, params[name], rtol=1e-5, atol=1e-6)
    got = decoded(cold["unknown_batch"])
    expected = [value for x in batches for value in plan_cache_probe.unknown_batch_expected(x)]
    assert len(got) == len(expected) == 12
    for value, want in zip(got, expected):
        np.testing.assert_allclose(value, want, rtol=1e-5, atol=1e-6)


# -- in one process -----------------------------------------------------------------------
def test_a_hit_replays_the_emission_state_and_runs_the_same(cache_dir):
    graph, x, fetches = unknown_batch_graph()
    cold, counts = counting(lambda: compiled(graph, x, fetches))
    assert counts == {"plan_hits": 0, "plan_misses": 1, "rejected": 0}
    warm, counts = counting(lambda: compiled(graph, x, fetches))
    assert counts == {"plan_hits": 1, "plan_misses": 0, "rejected": 0}
    plan = cold.plan.plan
    assert len(plan.symbols) > 2 and len({s.dims_block for s in plan.steps}) < len(plan.steps)  # shared blocks
    assert emission_state(warm.plan.plan) == emission_state(plan)
    assert warm.plan.compiled.unoptimised_ir == cold.plan.compiled.unoptimised_ir
    run_both(cold, warm, [np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4),
                          np.linspace(-1, 3, 36, dtype=np.float32).reshape(9, 4)])


class _LazyDimsPlan(executable.Plan):
    """A plan whose first kernel's output gets its dims (a new symbol) only when
    that kernel is emitted: what a lowering asking `plan.dims_of` inside
    emission does."""

    def __init__(self, *args):
        super().__init__(*args)
        del self.dims[self.steps[0].outputs[0]]


def test_a_hit_replays_dims_and_symbols_emission_creates(cache_dir, monkeypatch):
    monkeypatch.setattr(executable, "Plan", _LazyDimsPlan)
    graph, x, fetches = unknown_batch_graph()
    cold = compiled(graph, x, fetches)
    warm, counts = counting(lambda: compiled(graph, x, fetches))
    assert counts == {"plan_hits": 1, "plan_misses": 0, "rejected": 0}
    [entry] = cache_dir.glob("*.plan")
    stored = json.loads(entry.read_bytes()[plan_cache.PlanEntries.HEADER.size:])
    assert len(stored["dims"]) == 1 and len(stored["symbols"]) == 1
    assert emission_state(warm.plan.plan) == emission_state(cold.plan.plan)
    run_both(cold, warm, [np.arange(20, dtype=np.float32).reshape(5, 4) / 7])


def _resigned(change):
    """A corruption that keeps a valid header: the entry's JSON changed by `change`."""
    def corrupt(data):
        header = plan_cache.PlanEntries.HEADER
        key = header.unpack_from(data)[1]
        payload = change(json.loads(data[header.size:]))
        payload = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return header.pack(plan_cache.PlanEntries.MAGIC, key, hashlib.sha256(payload).digest(),
                           len(payload)) + payload
    return corrupt


@pytest.mark.parametrize("corrupt", [
    lambda data: data[:len(data) // 2],
    lambda data: data[:-1] + bytes([data[-1] ^ 1]),
    lambda data: data[:8] + bytes(32) + data[40:],                  # another key
    lambda data: data[:7] + bytes([data[7] + 1]) + data[8:],        # another format version
    lambda data: b"",
    _resigned(lambda e: b"{not json"),
    _resigned(lambda e: [e]),
    _resigned(lambda e: {**e, "ir": 5}),
    _resigned(lambda e: {**e, "table": e["table"] + 1}),
    _resigned(lambda e: {**e, "steps": e["steps"][1:]}),
    _resigned(lambda e: {**e, "steps": [e["table"]] + e["steps"][1:]}),
    _resigned(lambda e: {**e, "blocks": e["blocks"] + [[10 ** 6]]}),
    _resigned(lambda e: {**e, "blocks": [[0]] + e["blocks"][1:]}),
    _resigned(lambda e: {**e, "dims": [10 ** 6]}),
    _resigned(lambda e: {**e, "dims": [0], "symbols": [[0, 0]]}),
    _resigned(lambda e: {**e, "symbols": [[1, 0]]}),
])
def test_an_entry_that_does_not_fit_is_rebuilt_not_trusted(cache_dir, corrupt):
    graph, x, fetches = unknown_batch_graph()
    cold = compiled(graph, x, fetches)
    [entry] = cache_dir.glob("*.plan")
    good = entry.read_bytes()
    entry.write_bytes(corrupt(good))
    rebuilt, counts = counting(lambda: compiled(graph, x, fetches))
    assert counts == {"plan_hits": 0, "plan_misses": 1, "rejected": 1}
    assert emission_state(rebuilt.plan.plan) == emission_state(cold.plan.plan)
    run_both(cold, rebuilt, [np.ones((2, 4), np.float32), np.arange(24, dtype=np.float32).reshape(6, 4)])
    assert entry.read_bytes() == good  # rewritten
    _, counts = counting(lambda: compiled(graph, x, fetches))
    assert counts["plan_hits"] == 1


def variant_graph(variant):
    """One small program; `variant` changes one thing emission reads, names kept."""
    weights = np.linspace(-1, 1, 64).reshape(8, 8)
    if variant == "constant":
        weights[3, 5] += 2 ** -20
    dtype = tf.float64 if variant == "dtype" else tf.float32
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(dtype, [2 if variant == "static shape" else None, 8], name="x")
        w = tf.constant(weights, dtype, name="w")
        y = tf.tanh(tf.matmul(x, w, transpose_b=variant == "attr", name="product")) * 3.0
    expected = lambda v: np.tanh(v @ (weights.T if variant == "attr" else weights)) * 3
    return graph, x, y, expected


def test_plans_differing_in_an_attr_shape_dtype_or_constant_share_no_entry(cache_dir):
    data = np.linspace(-1, 1, 16).reshape(2, 8)

    def run(variant):
        graph, x, y, expected = variant_graph(variant)
        result, counts = counting(lambda: tf.Session(graph=graph).run(y, {x: data}))
        np.testing.assert_allclose(result, expected(data), rtol=1e-5)
        return counts["plan_hits"]
    assert [run(None), run(None)] == [0, 1]  # the same program in a new graph hits: names are kept
    for variant in ("attr", "static shape", "dtype", "constant"):
        assert run(variant) == 0, variant
    assert len(list(cache_dir.glob("*.plan"))) == 5


def test_a_hit_keeps_llvm_ir_and_dump(cache_dir, monkeypatch, tmp_path):
    graph, x, fetches = unknown_batch_graph()
    cold = compiled(graph, x, fetches)
    monkeypatch.setenv("GRAPHC_DUMP", str(tmp_path / "dump"))
    warm, counts = counting(lambda: compiled(graph, x, fetches))
    assert counts["plan_hits"] == 1
    optimised = cold.plan.kernels[0].llvm_ir.replace(cold.plan.compiled.name, warm.plan.compiled.name)
    assert warm.plan.kernels[0].llvm_ir == optimised and "define" in optimised
    [dumped] = (tmp_path / "dump").glob("*.ll")
    assert dumped.read_text() == optimised


def test_cache_off_writes_and_reads_no_plan(cache_dir, monkeypatch):
    monkeypatch.setenv("GRAPHC_CACHE", "0")
    graph, x, fetches = unknown_batch_graph()
    for _ in range(2):
        _, counts = counting(lambda: compiled(graph, x, fetches))
        assert counts == {"plan_hits": 0, "plan_misses": 1, "rejected": 0}
    assert not cache_dir.exists()


def test_a_module_embedding_an_address_is_not_cached(cache_dir, monkeypatch):
    emit = executable._emit_module
    monkeypatch.setattr(executable, "_emit_module",
                        lambda plan: emit(plan) + "\n@baked = global ptr inttoptr (i64 12345 to ptr)\n")
    graph, x, fetches = unknown_batch_graph()
    for _ in range(2):
        _, counts = counting(lambda: compiled(graph, x, fetches))
        assert counts["plan_misses"] == 1
    assert not cache_dir.exists() or not list(cache_dir.iterdir())


def test_a_lowering_from_outside_graphc_is_not_cached(cache_dir, monkeypatch):
    """Its source is not in the key: a changed lowering must not find the old IR."""
    lower_matmul = LOWERINGS["MatMul"]
    monkeypatch.setitem(LOWERINGS, "MatMul", lambda plan, op: lower_matmul(plan, op))
    graph, x, fetches = unknown_batch_graph()
    batch = np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4)
    for _ in range(2):
        run, counts = counting(lambda: compiled(graph, x, fetches))
        assert counts == {"plan_hits": 0, "plan_misses": 1, "rejected": 0}
        np.testing.assert_allclose(run(batch)[3], plan_cache_probe.unknown_batch_expected(batch)[3], rtol=1e-5)
    assert not list(cache_dir.glob("*.plan"))
