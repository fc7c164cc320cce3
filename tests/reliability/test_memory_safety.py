"""Indices that come from data are checked: hostile values give a Python
exception (InvalidArgumentError) or TF's defined result, never a crash; and
feeds of any memory layout are read correctly and never written."""
import collections
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import graphc as tf

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MUST_FAIL = {"gather", "gather axis 1", "gather gradient (scatter-add)", "embedding_lookup", "sparse labels"}


@pytest.fixture(scope="module")
def hostile_runs():
    """The records hostile_indices.py prints, run in a subprocess (a crash fails the test, not pytest)."""
    done = subprocess.run([sys.executable, "-m", "tests.reliability.hostile_indices"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"the process died ({done.returncode}):\n{done.stderr[-3000:]}"
    lines = done.stdout.splitlines()
    assert lines[-1] == "ALIVE"
    return [json.loads(line) for line in lines[:-1]]


def _by_run(records):
    runs = collections.defaultdict(dict)
    for r in records:
        runs[r["name"], r["dtype"], str(r["index"])][r["executor"]] = r.get("error", r.get("result"))
    return runs


def test_both_executors_agree_on_every_hostile_index(hostile_runs):
    runs = _by_run(hostile_runs)
    assert len(runs) == 9 * (5 + 9) + 5  # 5 hostile values fit int32, 9 int64
    for key, outcome in runs.items():
        assert outcome["llvm"] == outcome["reference"], key


def test_out_of_range_indices_fail_the_run(hostile_runs):
    for r in hostile_runs:
        if r["name"] in MUST_FAIL:
            assert r.get("error") == "InvalidArgumentError", r


def test_tf_semantics_for_ops_that_accept_any_index(hostile_runs):
    for r in hostile_runs:
        bad = r["index"]
        if r["name"] == "one_hot":
            assert r["result"][1] == [0.0] * 4, r
        elif r["name"] == "in_top_k":
            assert r["result"][1] is False, r
        elif r["name"] == "unsorted_segment_sum":  # negative ids are dropped, large ones fail
            assert ("result" in r) == (bad < 0), r
        elif r["name"] == "gather of cast float":  # the cast saturates: NaN is 0, the rest out of range
            assert r.get("result", r.get("error")) == ([1.0, 0.0] if bad == "nan" else "InvalidArgumentError"), r


def test_nan_fed_into_an_integer_placeholder_is_refused():
    idx = tf.placeholder(tf.int32, [None])
    y = tf.gather(tf.constant([1.0, 2.0]), idx)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not an integer"):
        tf.Session().run(y, {idx: np.array([0.0, np.nan])})


# -- feeds of every memory layout ------------------------------------------------------
def _layouts(value):
    """`value` (float32, 2-D) as arrays numpy may hand us: the same values, other memory."""
    transposed = np.ascontiguousarray(value.T).T
    strided = np.repeat(value, 2, axis=1)[:, ::2]
    raw = np.zeros(value.nbytes + 1, np.uint8)
    misaligned = np.frombuffer(raw.data, np.float32, value.size, offset=1).reshape(value.shape)
    misaligned[...] = value
    read_only = value.copy()
    read_only.setflags(write=False)
    swapped = value.astype(value.dtype.newbyteorder(">"))
    return {"fortran order": transposed, "strided": strided, "misaligned": misaligned,
            "read-only": read_only, "byte-swapped": swapped, "float64": value.astype(np.float64)}


@pytest.mark.parametrize("executor", ["llvm", "reference"])
def test_feeds_of_any_layout_give_the_same_results_and_stay_unchanged(executor):
    value = np.random.default_rng(3).normal(size=(5, 7)).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 7])
    y = [tf.tanh(x) * 2.0, x + 1.0, tf.matmul(x, tf.ones([7, 3])), tf.reduce_sum(x, 0)]
    sess = tf.Session(executor=executor)
    want = sess.run(y, {x: value})
    fn = sess.make_callable(y, [x])
    for name, feed in _layouts(value).items():
        plain = feed.flags.c_contiguous and feed.flags.aligned and feed.flags.writeable and feed.dtype == "<f4"
        assert not plain or name == "float64", f"{name} is an ordinary array"
        before = feed.copy()
        for got in (sess.run(y, {x: feed}), fn(feed), fn(feed)):  # twice: the shape is then known
            for a, b in zip(got, want):
                np.testing.assert_array_equal(a, b, err_msg=name)
        np.testing.assert_array_equal(feed, before, err_msg=f"{name}: the feed was written")
