"""tf.layers: outputs against numpy, variable names and reuse, regularization."""
import numpy as np
import pytest

import graphc as tf
from graphc.layers import regularizers

from .windows import conv_transpose, conv_valid, pool_valid


def _run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def test_dense_computes_activation_of_affine_map(rng):
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.layers.dense(x, 3, activation=tf.nn.relu, bias_initializer=tf.constant_initializer(0.5))
    kernel, bias = tf.trainable_variables()
    value = rng.normal(size=(5, 4)).astype(np.float32)
    out, k, b = _run([y, kernel, bias], {x: value})
    np.testing.assert_allclose(out, np.maximum(value @ k + b, 0), rtol=1e-5, atol=1e-6)
    assert [v.name for v in (kernel, bias)] == ["dense/kernel:0", "dense/bias:0"]
    np.testing.assert_array_equal(b, 0.5)


def test_dense_applies_to_last_axis_of_rank_3_inputs(rng):
    x = tf.placeholder(tf.float32, [None, 2, 4])
    y = tf.layers.dense(x, 3)
    assert y.shape.as_list() == [None, 2, 3]
    value = rng.normal(size=(3, 2, 4)).astype(np.float32)
    out, k = _run([y, tf.trainable_variables()[0]], {x: value})
    np.testing.assert_allclose(out, value @ k, rtol=1e-5, atol=1e-6)


def test_names_are_unique_and_reuse_shares_variables():
    x = tf.placeholder(tf.float32, [None, 4])
    tf.layers.dense(x, 2)
    tf.layers.dense(x, 2)
    tf.layers.dense(x, 2, name="fc")
    tf.layers.dense(x, 2, name="fc", reuse=True)
    names = [v.name for v in tf.global_variables()]
    assert names == ["dense/kernel:0", "dense/bias:0", "dense_1/kernel:0", "dense_1/bias:0",
                     "fc/kernel:0", "fc/bias:0"]
    tf.layers.dense(x, 2, name="fc")  # TF1: a name without reuse is made unique, as a default name is
    assert [v.name for v in tf.global_variables()][6:] == ["fc_1/kernel:0", "fc_1/bias:0"]
    with pytest.raises(ValueError, match="fc/kernel"):
        tf.layers.dense(x, 3, name="fc", reuse=True)  # shared variables keep their shape
    with tf.variable_scope("tower"):
        tf.layers.dense(x, 2)
    assert "tower/dense/kernel:0" in [v.name for v in tf.global_variables()]


def test_unnamed_layers_get_the_same_scopes_when_a_network_is_built_again_with_reuse():
    x = tf.placeholder(tf.float32, [None, 4])

    def tower(reuse):
        with tf.variable_scope("net", reuse=reuse):
            return tf.layers.dense(tf.layers.dense(x, 3), 2)
    first, second = tower(False), tower(True)
    assert [v.name for v in tf.global_variables()] == ["net/dense/kernel:0", "net/dense/bias:0",
                                                        "net/dense_1/kernel:0", "net/dense_1/bias:0"]
    value = np.ones((1, 4), np.float32)
    a, b = _run([first, second], {x: value})
    np.testing.assert_array_equal(a, b)
    layer = tf.layers.Dense(2)
    layer(x)
    assert (layer.name, layer.scope_name) == ("dense_4", "dense")  # TF1: names per graph, scopes per scope


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_convolution_and_pooling_match_numpy(rank, rng):
    size = {1: 9, 2: 7, 3: 5}[rank]
    x = tf.placeholder(tf.float32, [None, *[size] * rank, 2])
    conv = getattr(tf.layers, f"conv{rank}d")(x, 3, 2, strides=1, use_bias=False)
    max_pooled = getattr(tf.layers, f"max_pooling{rank}d")(conv, 2, 2)
    avg_pooled = getattr(tf.layers, f"average_pooling{rank}d")(conv, 3, 1)
    value = rng.normal(size=(2, *[size] * rank, 2)).astype(np.float32)
    out, max_out, avg_out, kernel = _run([conv, max_pooled, avg_pooled, tf.trainable_variables()[0]], {x: value})
    assert kernel.shape == (*[2] * rank, 2, 3)
    expected = conv_valid(value.astype(np.float64), kernel, [1] * rank)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(max_out, pool_valid(expected, [2] * rank, [2] * rank, np.max), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(avg_out, pool_valid(expected, [3] * rank, [1] * rank, np.mean), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("rank, kernel_size, strides, padding, output_padding, out_size", [
    (2, 3, 2, "valid", None, 9), (2, 3, 2, "same", None, 8), (2, 2, 3, "valid", None, 12),
    (2, 3, 2, "valid", 1, 10), (2, 4, 2, "same", 1, 7), (3, 2, 2, "same", None, 8)])
def test_transposed_convolution_scatters_the_kernel_like_numpy(rank, kernel_size, strides, padding, output_padding,
                                                               out_size, rng):
    x = tf.placeholder(tf.float32, [None, *[4] * rank, 2])
    if output_padding is None:
        y = getattr(tf.layers, f"conv{rank}d_transpose")(x, 3, kernel_size, strides, padding,
                                                         bias_initializer=tf.constant_initializer(0.5))
    else:
        y = tf.keras.layers.Conv2DTranspose(3, kernel_size, strides, padding, output_padding,
                                            bias_initializer="ones")(x)
    assert y.shape.as_list() == [None, *[out_size] * rank, 3]
    value = rng.normal(size=(2, *[4] * rank, 2)).astype(np.float32)
    out, kernel, bias = _run([y, *tf.trainable_variables()], {x: value})
    assert kernel.shape == (*[kernel_size] * rank, 3, 2)
    expected = conv_transpose(value.astype(np.float64), kernel, [strides] * rank, [out_size] * rank) + bias
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_same_padding_keeps_spatial_size_and_strides_divide_it():
    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    assert tf.layers.conv2d(x, 4, 3, padding="same").shape.as_list() == [None, 8, 8, 4]
    assert tf.layers.conv2d(x, 4, 3, strides=2, padding="same").shape.as_list() == [None, 4, 4, 4]
    assert tf.layers.flatten(tf.layers.max_pooling2d(x, 2, 2)).shape.as_list() == [None, 16]


def test_dropout_follows_training_flag(rng):
    x = tf.placeholder(tf.float32, [None, 1000])
    training = tf.placeholder_with_default(False, [])
    dropped = tf.layers.dropout(x, rate=0.25, training=training)
    assert tf.layers.dropout(x, rate=0.25).op.type == "Identity"  # training=False: no random op
    value = np.ones((4, 1000), np.float32)
    with tf.Session() as sess:
        off = sess.run(dropped, {x: value})
        on = sess.run(dropped, {x: value, training: True})
    np.testing.assert_array_equal(off, value)
    assert set(np.unique(on)) <= {0.0, np.float32(1 / 0.75)}
    assert 0.2 < np.mean(on == 0) < 0.3


def test_batch_normalization_normalises_and_moves_averages(rng):
    x = tf.placeholder(tf.float32, [None, 3])
    training = tf.placeholder_with_default(False, [])
    y = tf.layers.batch_normalization(x, momentum=0.9, training=training)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    value = (rng.normal(size=(64, 3)) * [1, 2, 3] + [4, 5, 6]).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        inference = sess.run(y, {x: value})
        trained, _ = sess.run([y, updates], {x: value, training: True})
        moving = sess.run([v for v in tf.global_variables() if "moving" in v.name])
    np.testing.assert_allclose(inference, value / np.sqrt(1 + 1e-3), rtol=1e-5)  # moving mean 0, variance 1
    expected = (value - value.mean(0)) / np.sqrt(value.var(0) + 1e-3)
    np.testing.assert_allclose(trained, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(moving[0], 0.1 * value.mean(0), rtol=1e-4)
    np.testing.assert_allclose(moving[1], 0.9 + 0.1 * value.var(0), rtol=1e-4)
    assert len(tf.trainable_variables()) == 2  # gamma and beta; the moving averages are not trained


def test_kernel_regularizer_feeds_get_regularization_loss():
    x = tf.placeholder(tf.float32, [None, 4])
    tf.layers.dense(x, 3, kernel_regularizer=regularizers.l2(0.1))
    tf.layers.conv1d(tf.placeholder(tf.float32, [None, 5, 2]), 2, 2, kernel_regularizer=regularizers.l1(0.5))
    loss = tf.losses.get_regularization_loss()
    dense_kernel, _, conv_kernel, _ = tf.global_variables()
    total, k1, k2 = _run([loss, dense_kernel, conv_kernel])
    np.testing.assert_allclose(total, 0.1 * np.sum(k1 ** 2) + 0.5 * np.sum(np.abs(k2)), rtol=1e-5)


def test_initializers_by_name_and_wrong_rank_is_reported():
    x = tf.placeholder(tf.float32, [None, 200])
    tf.layers.dense(x, 300, kernel_initializer="uniform", bias_initializer="ones")
    kernel, bias = _run(tf.trainable_variables())
    assert np.abs(kernel).max() <= 0.05 and kernel.std() > 0.02
    np.testing.assert_array_equal(bias, 1)
    with pytest.raises(ValueError, match="expected ndim=4"):
        tf.layers.conv2d(x, 2, 3)
