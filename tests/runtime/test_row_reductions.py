"""Row reductions fold each row into four vector chains, then whole vectors,
then a scalar tail: every row length around those boundaries gives numpy's
result, for float32 and float64, and the same bits for any thread count."""
import numpy as np
import pytest

import graphc as tf

LENGTHS = [1, 2, 15, 16, 17, 63, 64, 65, 79, 80, 127, 128, 129, 200]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_row_length_matches_numpy(dtype):
    rng = np.random.default_rng(3)
    sess = tf.Session()
    for length in LENGTHS:
        data = rng.normal(size=(5, length)).astype(dtype)
        x = tf.placeholder(dtype, [None, length])
        total, largest, mean = sess.run([tf.reduce_sum(x, 1), tf.reduce_max(x, 1), tf.reduce_mean(x, 1)], {x: data})
        np.testing.assert_allclose(total, data.sum(1), rtol=1e-5, atol=1e-5, err_msg=f"length {length}")
        np.testing.assert_array_equal(largest, data.max(1), err_msg=f"length {length}")
        np.testing.assert_allclose(mean, data.mean(1), rtol=1e-5, atol=1e-6, err_msg=f"length {length}")


def test_a_nan_anywhere_in_a_row_wins_the_max():
    data = np.zeros((len(LENGTHS), 200), np.float32)
    for row, length in enumerate(LENGTHS):
        data[row, length - 1] = np.nan
    x = tf.placeholder(tf.float32, [None, 200])
    assert np.isnan(tf.Session().run(tf.reduce_max(x, 1), {x: data})).all()
