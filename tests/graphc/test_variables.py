"""Variables: creation, initialisation, reads, assignment ops, sessions owning values."""
import numpy as np
import pytest

import graphc as tf


def test_names_dtypes_and_graph_layout():
    v = tf.Variable([[1.0, 2.0]], name="weights")
    i = tf.Variable(3)
    assert v.name == "weights:0" and v.op.type == "VariableV2"
    assert v.dtype == tf.float32 and i.dtype == tf.int32 and v.shape.as_list() == [1, 2]
    assert v.initializer.name == "weights/Assign" and v.value().op.name == "weights/read"
    assert tf.Variable(1.0, name="weights").name == "weights_1:0"


def test_uninitialised_read_names_the_variable_and_session_stays_usable():
    v = tf.Variable(1.0, name="w")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value w"):
            sess.run(v + 1)
        sess.run(v.initializer)
        assert sess.run(v + 1) == 2.0
        assert sess.run(tf.is_variable_initialized(v))


def test_assign_ops_and_read_before_write():
    v = tf.Variable([1.0, 2.0])
    add = v.assign_add([1.0, 1.0])
    sub = tf.assign_sub(v, [0.5, 0.5])
    set_ = tf.assign(v, [9.0, 9.0])
    total = tf.reduce_sum(v)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before, after = sess.run([total, add])
        assert before == 3.0 and after.tolist() == [2.0, 3.0]
        assert sess.run(sub).tolist() == [1.5, 2.5]
        assert sess.run(set_).tolist() == [9.0, 9.0]
        assert v.assign([0.0, 1.0]).eval().tolist() == [0.0, 1.0]


def test_assign_checks_shape_and_dtype():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises(TypeError):
        v.assign(tf.constant([1, 2]))


def test_fetched_values_do_not_alias_variables():
    v = tf.Variable(np.zeros(3, np.float32))
    with tf.Session() as sess:
        sess.run(v.initializer)
        got = sess.run(v)
        got[:] = 5
        assert sess.run(v).tolist() == [0, 0, 0]


def test_sessions_own_separate_values():
    v = tf.Variable(1.0)
    inc = v.assign_add(1.0)
    a, b = tf.Session(), tf.Session()
    a.run(v.initializer)
    b.run(v.initializer)
    a.run(inc)
    assert a.run(v) == 2.0 and b.run(v) == 1.0


def test_initial_value_from_tensor_and_dtype_cast():
    base = tf.constant([1.0, 2.0])
    v = tf.Variable(base * 2, dtype=tf.float64)
    w = tf.Variable(lambda: tf.constant(4.0))
    with tf.Session() as sess:
        sess.run(tf.variables_initializer([v, w]))
        assert sess.run(v).dtype == np.float64 and sess.run(w) == 4.0


def test_initializer_run_with_feed_dict():
    init = tf.placeholder(tf.float32, [2])
    v = tf.Variable(init)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer(), {init: [3.0, 4.0]})
        assert sess.run(v).tolist() == [3.0, 4.0]


def test_variable_is_usable_as_a_tensor():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    out = [v + 1, 2 * v, v @ v, v[0], -v, tf.reduce_sum(v)]
    with tf.Session() as sess:
        sess.run(v.initializer)
        res = sess.run(out)
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    for got, want in zip(res, [m + 1, 2 * m, m @ m, m[0], -m, m.sum()]):
        np.testing.assert_allclose(got, want)


def test_non_trainable_and_shapeless_initial_value_errors():
    v = tf.Variable(1.0, trainable=False)
    assert v not in tf.trainable_variables() and v in tf.global_variables()
    with pytest.raises(ValueError, match="fully defined"):
        tf.Variable(tf.placeholder(tf.float32, [None]))


def test_constants_and_initial_values_leave_the_callers_array_alone():
    values = np.arange(3, dtype=np.float32)
    constant, variable = tf.constant(values), tf.Variable(values)
    assert values.flags.writeable  # TF copies; the array stays the caller's
    values[:] = -1.0
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    assert sess.run(constant).tolist() == [0, 1, 2] and sess.run(variable).tolist() == [0, 1, 2]
