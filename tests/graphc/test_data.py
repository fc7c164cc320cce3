"""tf.data: datasets, their transformations, iterators and get_next() wired into the graph."""
import numpy as np
import pytest
from graphc.runtime.executable import LLVMExecutable
from graphc.runtime.host_inputs import HostFedExecutable

import graphc as tf

EXECUTORS = ["llvm", "reference"]


def _drain(sess, fetches, feed_dict=None):
    """Every value of `fetches` until the iterator ends."""
    values = []
    while True:
        try:
            values.append(sess.run(fetches, feed_dict))
        except tf.errors.OutOfRangeError:
            return values


def test_from_tensor_slices_keeps_the_element_structure():
    images, labels = np.zeros((5, 2, 3), np.float32), np.arange(5)
    pair = tf.data.Dataset.from_tensor_slices((images, labels))
    assert pair.output_types == (tf.float32, tf.int64)
    assert [s.as_list() for s in pair.output_shapes] == [[2, 3], []]
    named = tf.data.Dataset.from_tensor_slices({"x": images, "y": [1.0, 2.0, 3.0, 4.0, 5.0]})
    assert named.output_types == {"x": tf.float32, "y": tf.float32}
    with pytest.raises(ValueError, match="same first dimension"):
        tf.data.Dataset.from_tensor_slices((images, np.arange(4)))


@pytest.mark.parametrize("executor", EXECUTORS)
def test_repeat_and_batch_yield_every_element_in_order_then_out_of_range(executor):
    data = np.arange(10, dtype=np.float32)
    batch = tf.data.Dataset.from_tensor_slices(data).repeat(2).batch(4).make_one_shot_iterator().get_next()
    assert batch.shape.as_list() == [None]
    with tf.Session(executor=executor) as sess:
        batches = _drain(sess, batch)
        with pytest.raises(tf.errors.OutOfRangeError):  # stays at the end
            sess.run(batch)
    assert [len(b) for b in batches] == [4, 4, 4, 4, 4]
    np.testing.assert_array_equal(np.concatenate(batches), np.concatenate([data, data]))


def test_drop_remainder_gives_a_static_batch_size():
    batch = tf.data.Dataset.from_tensor_slices(np.arange(10)).batch(4, drop_remainder=True)
    value = batch.make_one_shot_iterator().get_next()
    assert value.shape.as_list() == [4]
    with tf.Session() as sess:
        assert [b.tolist() for b in _drain(sess, value)] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_shuffle_is_a_seeded_permutation_that_changes_each_epoch():
    def epochs(seed):
        ds = tf.data.Dataset.from_tensor_slices(np.arange(20)).shuffle(20, seed=seed).repeat(2).batch(20)
        with tf.Session() as sess:
            return [b.tolist() for b in _drain(sess, ds.make_one_shot_iterator().get_next())]
    first, second = epochs(seed=3)
    assert sorted(first) == sorted(second) == list(range(20))
    assert first != second and first != list(range(20))
    assert epochs(seed=3) == [first, second]
    assert epochs(seed=4) != [first, second]


def test_a_shuffle_buffer_of_one_keeps_the_order_and_a_small_buffer_stays_local():
    ordered = tf.data.Dataset.from_tensor_slices(np.arange(6)).shuffle(1, seed=0).batch(6)
    local = tf.data.Dataset.from_tensor_slices(np.arange(50)).shuffle(2, seed=0).batch(50)
    with tf.Session() as sess:
        assert sess.run(ordered.make_one_shot_iterator().get_next()).tolist() == list(range(6))
        drawn = sess.run(local.make_one_shot_iterator().get_next())
    # With a buffer of two, element k leaves the buffer at position k - 1 or later.
    assert all(position >= value - 1 for position, value in enumerate(drawn))


@pytest.mark.parametrize("executor", EXECUTORS)
def test_map_traces_a_python_function_of_tensors(executor):
    images = np.arange(12, dtype=np.uint8).reshape(3, 4)
    labels = np.array([0, 2, 1])

    def preprocess(image, label):
        return tf.reshape(tf.cast(image, tf.float32) / 255.0, [2, 2]), tf.one_hot(label, 3)

    ds = tf.data.Dataset.from_tensor_slices((images, labels)).map(preprocess).batch(3)
    assert ds.output_types == (tf.float32, tf.float32)
    assert [s.as_list() for s in ds.output_shapes] == [[None, 2, 2], [None, 3]]
    x, y = ds.make_one_shot_iterator().get_next()
    with tf.Session(executor=executor) as sess:
        got_x, got_y = sess.run([x, y])
    np.testing.assert_allclose(got_x, images.reshape(3, 2, 2) / np.float32(255.0), rtol=1e-6)
    np.testing.assert_array_equal(got_y, np.eye(3)[labels])


def test_map_of_a_dict_element_and_a_function_using_the_users_graph():
    ds = tf.data.Dataset.from_tensor_slices({"a": [1.0, 2.0], "b": [3, 4]}).map(lambda d: d["a"] * 2.0 + 1.0)
    with tf.Session() as sess:
        assert [float(v) for v in _drain(sess, ds.make_one_shot_iterator().get_next())] == [3.0, 5.0]
    outside = tf.constant(1.0)
    with pytest.raises(ValueError, match="map function may use only its arguments"):
        tf.data.Dataset.from_tensor_slices([1.0]).map(lambda v: v + outside)


def test_initializable_iterator_restarts_and_takes_placeholders():
    features = tf.placeholder(tf.float32, [None, 2])
    iterator = tf.data.Dataset.from_tensor_slices(features).batch(2).make_initializable_iterator()
    batch = iterator.get_next()
    total = tf.reduce_sum(batch)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="has not been initialized"):
            sess.run(total)
        for data in (np.ones((3, 2)), np.full((4, 2), 2.0)):
            sess.run(iterator.initializer, feed_dict={features: data})
            assert sum(_drain(sess, total)) == data.sum()
    with pytest.raises(ValueError, match="make_initializable_iterator"):
        tf.data.Dataset.from_tensor_slices(features).make_one_shot_iterator()
    with pytest.raises(ValueError, match="one-shot"):
        _ = tf.data.Dataset.from_tensor_slices([1]).make_one_shot_iterator().initializer


def test_training_steps_run_without_a_feed_dict_and_stay_compiled():
    rng = np.random.default_rng(0)
    x_data = rng.normal(size=(64, 3)).astype(np.float32)
    y_data = x_data @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3
    iterator = (tf.data.Dataset.from_tensor_slices((x_data, y_data)).shuffle(64, seed=1).repeat().batch(16)
                .prefetch(1).make_initializable_iterator())
    x, y = iterator.get_next()
    w, b = tf.Variable(tf.zeros([3, 1])), tf.Variable(0.0)
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    train = tf.train.GradientDescentOptimizer(0.2).minimize(loss)
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), iterator.initializer])
        for _ in range(200):
            sess.run(train)
        final = sess.run(loss)
        plan = sess.make_callable(train).plan
    assert final < 1e-6
    assert isinstance(plan, HostFedExecutable) and isinstance(plan._compiled, LLVMExecutable)
