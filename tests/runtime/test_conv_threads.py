"""Convolutions on the im2col path hold OpenBLAS to one thread and split each
gemm's rows over graphc's threads: the same bits for any thread count, the
reference executor's values, and numpy's OpenBLAS thread count given back."""
import numpy as np
import pytest

import graphc as tf
from tests.runtime.test_threads_and_logging import _openblas_threads


def _convolutions(batch=40):
    """The three im2col roles, at batch 40 each large enough to split: the filter
    gradient (always im2col), the input gradient of a strided conv and a forward
    conv whose output depth is no whole number of SIMD vectors."""
    rng = np.random.default_rng(3)
    x = tf.placeholder(tf.float32, [None, 14, 14, 8])
    w = tf.constant(rng.standard_normal((5, 5, 8, 16)).astype(np.float32))
    dy = tf.placeholder(tf.float32, [None, 7, 7, 16])
    odd = tf.constant(rng.standard_normal((5, 5, 8, 5)).astype(np.float32))
    fetches = [tf.nn.conv2d_backprop_filter(x, [5, 5, 8, 16], dy, [1, 2, 2, 1], "SAME"),
               tf.nn.conv2d_backprop_input(tf.shape(x), w, dy, [1, 2, 2, 1], "SAME"),
               tf.nn.conv2d(x, odd, [1, 1, 1, 1], "SAME")]
    feeds = {x: rng.standard_normal((batch, 14, 14, 8)).astype(np.float32),
             dy: rng.standard_normal((batch, 7, 7, 16)).astype(np.float32)}
    return fetches, feeds


@pytest.mark.parametrize("batch", [40, 1])  # one image is one slice, on OpenBLAS's threads
def test_im2col_convolutions_are_bitwise_identical_for_any_thread_count(batch):
    fetches, feeds = _convolutions(batch)
    results = [tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=n)).run(fetches, feeds)
               for n in (1, 2, 3)]
    for other in results[1:]:
        for a, b in zip(results[0], other):
            assert a.tobytes() == b.tobytes()
    expected = tf.Session(executor="reference").run(fetches, feeds)
    for actual, wanted in zip(results[1], expected):
        np.testing.assert_allclose(actual, wanted, rtol=1e-4, atol=1e-3)


def test_im2col_convolutions_leave_numpys_blas_thread_count_alone():
    get, put = _openblas_threads()
    assert get is not None, "numpy's bundled OpenBLAS exposes its thread count"
    put(2)
    fetches, feeds = _convolutions()
    tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=2)).run(fetches, feeds)
    assert get() == 2
