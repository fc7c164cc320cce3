"""Reduction fusion: softmax-like row programs become one FusedReduction
kernel whose results equal the unfused program's, on both executors."""
import numpy as np
import pytest

import graphc as tf
from graphc.passes.manager import PASS_NAMES

from .common import assert_same_results

WITHOUT = [p for p in PASS_NAMES if p != "fuse_reductions"]


def _kernel_types(fetches, feeds, **session):
    return [k.ops[0].type for k in tf.Session(executor="llvm", **session).make_callable(fetches, feeds).kernels]


def _layer_norm(x, gain, bias):
    mean = tf.reduce_mean(x, -1, keepdims=True)
    variance = tf.reduce_mean(tf.square(x - mean), -1, keepdims=True)
    return (x - mean) * tf.rsqrt(variance + 1e-5) * gain + bias


def _programs():
    rng = np.random.default_rng(0)
    x = tf.placeholder(tf.float32, [None, 37])
    labels = tf.placeholder(tf.float32, [None, 37])
    gain, bias = tf.constant(rng.normal(size=37).astype(np.float32)), tf.constant(np.ones(37, np.float32))
    softmax, log_softmax, norm = tf.nn.softmax(x), tf.nn.log_softmax(3.0 * x), _layer_norm(x, gain, bias)
    xent = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=x)
    loss = tf.reduce_sum(softmax * labels) + tf.reduce_sum(log_softmax) + tf.reduce_sum(norm * norm) + tf.reduce_mean(xent)
    fetches = {"softmax": softmax, "log_softmax": log_softmax, "layer_norm": norm, "xent": xent,
               "range": tf.reduce_max(x, 1) - tf.reduce_min(x, 1), "grad": tf.gradients(loss, x)[0]}
    feeds = {x: rng.normal(size=(50, 37)).astype(np.float32) * 4, labels: rng.random((50, 37)).astype(np.float32)}
    return fetches, feeds


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "layer_norm", "xent", "range", "grad"])
def test_row_programs_give_the_unfused_results(name):
    fetches, feeds = _programs()
    assert_same_results(fetches[name], feeds, PASS_NAMES, rtol=1e-6, atol=1e-6)
    assert "FusedReduction" in _kernel_types(fetches[name], list(feeds))


def test_softmax_and_its_gradient_are_one_kernel():
    x = tf.placeholder(tf.float32, [None, 1024])
    dy = tf.placeholder(tf.float32, [None, 1024])
    y = tf.nn.softmax(x)
    assert _kernel_types(y, [x]) == ["FusedReduction"]
    assert _kernel_types(y, [x], passes=WITHOUT) == ["Max", "FusedElementwise", "Sum", "RealDiv", "Mul"]
    grad = tf.gradients(y, x, grad_ys=dy)[0]
    assert _kernel_types(grad, [x, dy]) == ["FusedReduction"]   # softmax and its gradient share the rows


def test_fused_results_do_not_depend_on_the_thread_count():
    x = tf.placeholder(tf.float32, [None, 1000])
    y = tf.nn.log_softmax(x)
    data = np.random.default_rng(1).normal(size=(1100, 1000)).astype(np.float32)
    runs = [tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=n)).run(y, {x: data}) for n in (1, 2, 3)]
    assert runs[0].tobytes() == runs[1].tobytes() == runs[2].tobytes()
    shifted = data - data.max(1, keepdims=True)
    np.testing.assert_allclose(runs[0], shifted - np.log(np.exp(shifted).sum(1, keepdims=True)), atol=1e-5)


def test_a_row_value_used_again_after_a_later_reduction_is_kept_per_row():
    x = tf.placeholder(tf.float32, [4, 5])
    m = tf.reduce_max(x, 1, keepdims=True)
    s = tf.reduce_sum(tf.exp(x - m), 1)             # no kept dims: one value per row
    out = tf.reduce_sum((x - m) * 2.0, 1) / s + tf.reduce_mean(x, 1)
    data = np.random.default_rng(2).normal(size=(4, 5)).astype(np.float32)
    assert_same_results([out, m], {x: data}, PASS_NAMES, rtol=1e-6, atol=1e-6)
    assert _kernel_types([out, m], [x]) == ["FusedReduction"]


@pytest.mark.parametrize("case", ["leading axis", "unknown row length", "too long a row", "integers"])
def test_what_is_not_fused(case):
    x = tf.placeholder(tf.int32 if case == "integers" else tf.float32,
                       {"unknown row length": [4, None], "too long a row": [2, 1 << 15]}.get(case, [4, 6]))
    axis = 0 if case == "leading axis" else 1
    y = tf.reduce_sum(x * x, axis)
    assert "FusedReduction" not in _kernel_types(y, [x])


def test_an_unknown_row_count_that_disagrees_between_inputs_is_an_error():
    x, z = tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.float32, [None, 3])
    y = tf.reduce_sum(x * z, 1)
    assert _kernel_types(y, [x, z]) == ["FusedReduction"]
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError)):
        tf.Session().run(y, {x: np.ones((2, 3)), z: np.ones((3, 3))})
