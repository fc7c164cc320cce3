"""What TF1 programs rely on without naming it: default sessions, fetch and feed
conversions, graph growth, devices, configs, scopes, deprecated spellings."""
import numpy as np
import pytest

import graphc as tf


def test_default_session_eval_and_run():
    v = tf.Variable(3.0)
    x = tf.placeholder(tf.float32, [None])
    mean = tf.reduce_mean(x)
    with tf.Session() as sess:
        tf.global_variables_initializer().run()
        assert v.eval() == 3.0 and v.assign(5.0).eval() == 5.0
        assert mean.eval({x: [1.0, 2.0]}) == 1.5
    sess = tf.Session()  # without `with`: only through sess.run
    sess.run(tf.global_variables_initializer())
    assert sess.run(v) == 3.0 and sess.graph is tf.get_default_graph()
    with pytest.raises(ValueError, match="no default session"):
        v.eval()


def test_fetches_and_feeds_convert_as_in_tf1():
    v = tf.Variable(1.0)
    step = tf.assign_add(v, 1.0)
    hello = tf.constant("Hello, TensorFlow!")
    images = tf.placeholder(tf.float32, [None, None, 2])
    mask = tf.placeholder(tf.int32, [None, 2])
    row = tf.placeholder(tf.float32, [784])
    small = tf.placeholder(tf.int16)
    anything = tf.placeholder(tf.float32)
    unused = tf.placeholder(tf.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        result, value = sess.run([step.op, v])
        assert result is None and value == 1.0  # read before the update, as TF1 does
        assert isinstance(sess.run([v]), list) and "%i %f %s" % (sess.run(v), sess.run(v), format(sess.run(v)))  # noqa: UP031 (TF1 style)
        assert sess.run(hello) == b"Hello, TensorFlow!"
        assert sess.run(tf.reduce_sum(images), {images: [[[1, 2], [3, 4]], [[5, 6], [0, 0]]]}) == 21
        assert sess.run(mask, {mask: np.array([[0.0, 1.0]]), unused: 1.0}).dtype == np.int32
        assert sess.run(row, {row: np.zeros(784)}).shape == (784,)
        assert sess.run(small * 2, {small: 3}) == 6
        assert sess.run(anything, {anything: np.ones((2, 3, 4))}).shape == (2, 3, 4)


def test_initializers_take_feeds_and_variables_follow_tf1_dtypes():
    shape = tf.placeholder(tf.float32, [2])
    stddev = tf.constant(0.01)
    noisy = tf.Variable(tf.random_normal(shape=[1000], mean=1.0, stddev=stddev, dtype=tf.float32))
    fed = tf.Variable(shape)
    count = tf.Variable(0, trainable=False)
    assert count.dtype.base_dtype == tf.int32 and tf.Variable(1.5).dtype.base_dtype == tf.float32
    assert count not in tf.trainable_variables()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer(), feed_dict={shape: [1.0, 2.0]})
        assert sess.run(fed).tolist() == [1.0, 2.0] and abs(sess.run(noisy).std() - 0.01) < 0.002


def test_ops_created_inside_the_training_loop_run_in_the_same_session():
    w = tf.Variable(np.zeros(3, np.float32))
    train = tf.assign_add(w, [1.0, 2.0, 3.0])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(100):
            sess.run(train)
            value = sess.run(tf.sigmoid(w * 0.01))  # a new op every step
            np.testing.assert_allclose(value, 1 / (1 + np.exp(-0.01 * (step + 1) * np.array([1, 2, 3]))), rtol=1e-5)
        assert len(sess._plans) <= 256  # compiled plans are bounded, not one kept per op forever
        evaluation = tf.reduce_sum(w)  # evaluation ops built after training
        assert sess.run(evaluation) == 600


def test_several_sessions_one_after_another_on_one_graph():
    v = tf.Variable(1.0)
    add = tf.assign_add(v, 1.0)
    for _ in range(3):
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(add) == 2.0


def test_devices_node_defs_and_configs_are_accepted():
    def assign_to_device(op):
        assert isinstance(op.node_def, tf.NodeDef)
        return "/cpu:0" if op.node_def.op in ("Variable", "VariableV2", "VarHandleOp") else "/gpu:0"

    with tf.device(assign_to_device):
        v = tf.Variable(2.0)
        doubled = v * 2.0
    with tf.device("/gpu:1"):
        total = tf.add_n([doubled, v])
    assert v.op.device == "/cpu:0" and doubled.op.device == "/gpu:0"
    config = tf.ConfigProto(log_device_placement=False, allow_soft_placement=True)
    config.gpu_options.allow_growth = True
    with tf.Session(config=config) as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(total) == 6.0


def test_scopes_collections_and_names():
    with tf.variable_scope("Generator"):
        g = tf.get_variable("w", [2])
    with tf.variable_scope("Discriminator"):
        d = tf.get_variable("w", [2])
    with tf.variable_scope("Discriminator", reuse=True):
        assert tf.get_variable("w", [2]) is d
    assert tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="Generator") == [g]
    with tf.name_scope("Accuracy"):
        acc = tf.reduce_mean(tf.constant([1.0]))
    assert acc.name.startswith("Accuracy/") and d.name == "Discriminator/w:0"


def test_deprecated_spellings_and_shape_helpers():
    x = tf.placeholder(tf.float32, [None, 4])
    data = np.array([[1.0, 5.0, 2.0, 2.0], [3.0, 2.0, 9.0, 0.5]], np.float32)
    fetches = {
        "arg_min": tf.arg_min(x, 1), "arg_max": tf.arg_max(x, 1), "argmax": tf.argmax(x, 1),
        "sum": tf.reduce_sum(x, reduction_indices=[1]), "keep": tf.reduce_sum(x, 1, keepdims=True),
        "keep_dims": tf.reduce_mean(x, 1, keep_dims=True), "log": tf.log(x), "mul": tf.mul(x, 2.0),
        "sub": tf.sub(x, 1.0), "neg": tf.neg(x), "batch": tf.shape(x)[0],
        "split": tf.split(x, 2, 1), "unstack": tf.unstack(tf.reshape(x, [-1, 2, 2]), 2, 1),
        "exp": tf.exp(tf.sqrt(tf.square(x))), "stack": tf.stack([tf.range(0, 2), tf.range(2, 4)]),
        "gather": tf.gather(tf.transpose(x), 2), "expand": tf.expand_dims(tf.zeros_like(x), 0),
        "ones": tf.ones_like(x), "tanh": tf.tanh(x), "uniform": tf.random_uniform([3], minval=0, maxval=1),
        "concat": tf.concat([x, x], axis=1), "abs": tf.abs(tf.negative(x)),
    }
    with tf.Session() as sess:
        r = sess.run(fetches, {x: data})
    assert r["arg_min"].tolist() == [0, 3] and r["arg_max"].tolist() == r["argmax"].tolist() == [1, 2]
    np.testing.assert_allclose(r["sum"], data.sum(1))
    assert r["keep"].shape == (2, 1) and r["keep_dims"].shape == (2, 1) and r["batch"] == 2
    np.testing.assert_allclose(r["log"], np.log(data), rtol=1e-6)
    np.testing.assert_allclose(r["mul"] - r["sub"] + r["neg"], 1.0)
    assert [s.shape for s in r["split"]] == [(2, 2), (2, 2)] and [u.shape for u in r["unstack"]] == [(2, 2), (2, 2)]
    np.testing.assert_allclose(r["exp"], np.exp(data), rtol=1e-5)
    assert r["stack"].tolist() == [[0, 1], [2, 3]] and r["gather"].tolist() == [2.0, 9.0]
    assert r["expand"].shape == (1, 2, 4) and r["ones"].sum() == 8 and np.allclose(r["tanh"], np.tanh(data))
    assert r["concat"].shape == (2, 8) and np.array_equal(r["abs"], data)
    assert np.all((r["uniform"] >= 0) & (r["uniform"] < 1))


def test_towers_average_their_gradients():
    w = tf.Variable([1.0, -1.0])
    optimizer = tf.train.AdamOptimizer()
    tower_grads = []
    for scale in (1.0, 3.0):
        with tf.name_scope("tower"):
            tower_grads.append(optimizer.compute_gradients(tf.reduce_sum(scale * w * w)))
    averaged = [(tf.add_n([g for g, _ in pairs]) / len(pairs), pairs[0][1]) for pairs in zip(*tower_grads)]
    train = optimizer.apply_gradients(averaged)
    plain = tf.train.GradientDescentOptimizer(0.1).apply_gradients(grads_and_vars=averaged)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        grad = sess.run(averaged[0][0])
        sess.run(plain)
        sess.run(train)
        after = sess.run(w)
    np.testing.assert_allclose(grad, [4.0, -4.0])
    np.testing.assert_allclose(after, [1.0 - 0.4 - 0.001, -1.0 + 0.4 + 0.001], rtol=1e-5)
