"""Bugs the differential fuzzer found, each pinned by the smallest graph that
showed it: both executors give the same results, or the same documented error."""
import numpy as np
import pytest

import graphc as tf
from graphc.ops.building import apply_op
from tests.reliability.fuzz import Mismatch, _compare

EXECUTORS = ("reference", "llvm")


def assert_executors_agree(fetches, feeds, passes=None):
    """Every executor (with `passes`, default all) gives what the reference
    executor with no pass gives: the same values, or the same documented error."""
    def outcome(executor, passes):
        try:
            return tf.Session(executor=executor, passes=passes).run(fetches, feeds)
        except Exception as error:  # noqa: BLE001 - compared below
            return error
    want = outcome("reference", [])
    for executor in EXECUTORS:
        _compare(executor, want, outcome(executor, passes), fetches, 2e-6, False)
    return want


def test_comparing_catches_a_wrong_error_class():
    with pytest.raises(Mismatch):
        _compare("x", tf.errors.InvalidArgumentError(None, None, "a"), ValueError("b"), [], 0, False)


def test_fed_shapes_a_shape_rule_rejects_are_an_invalid_argument():
    """LLVM raised ValueError when fed shapes did not broadcast with a constant."""
    a = tf.placeholder(tf.float64, [None, None])
    y = tf.logical_or(a <= tf.constant(np.ones(5)), a > 0.0)
    for passes in ([], ["fuse"]):
        with pytest.raises(tf.errors.InvalidArgumentError, match="incompatible shapes"):
            tf.Session(executor="llvm", passes=passes).run(y, {a: np.zeros((3, 0))})
    assert isinstance(assert_executors_agree(y, {a: np.zeros((3, 0))}), tf.errors.InvalidArgumentError)


def test_max_pool_gradient_and_argmax_of_an_empty_batch():
    """The reference MaxPoolGrad/MaxPoolWithArgmax failed to reshape 0-size windows."""
    x = tf.placeholder(tf.float64, [None, 5, None, 2])
    y = tf.nn.max_pool(x, (1, 3, 3, 1), (1, 2, 2, 1), "SAME")
    fetches = [y, tf.gradients(tf.reduce_sum(y), x)[0], *tf.nn.max_pool_with_argmax(x, (1, 3, 3, 1), (1, 2, 2, 1), "SAME")]
    for shape in ((0, 5, 6, 2), (1, 5, 0, 2)):
        got = assert_executors_agree(fetches, {x: np.zeros(shape)})
        assert got[1].shape == shape


def test_float_to_int_cast_saturates_on_both_executors():
    """The reference Cast gave numpy's INT_MIN for NaN and out-of-range values,
    the compiled one LLVM's saturating conversion (NaN to 0, the limits)."""
    x = tf.placeholder(tf.float32, [None])
    values = np.array([np.nan, np.inf, -np.inf, 3e9, -3e9, 2.7, -2.7, 300.0], np.float32)
    want = {tf.int32: [0, 2 ** 31 - 1, -2 ** 31, 2 ** 31 - 1, -2 ** 31, 2, -2, 300],
            tf.int64: [0, 2 ** 63 - 1, -2 ** 63, 3000000000, -3000000000, 2, -2, 300],
            tf.uint8: [0, 255, 0, 255, 0, 2, 254, 44]}  # saturated into int32, then truncated
    fetches = [tf.cast(x, dtype) for dtype in want]
    got = assert_executors_agree(fetches, {x: values})
    for (dtype, expected), value in zip(want.items(), got):
        assert value.tolist() == expected, dtype


def test_squeeze_of_unknown_sizes_runs_whole():
    """expand_composites raised ValueError for a composite whose decomposition needs static sizes."""
    x = tf.placeholder(tf.float64, [1, None, 1])
    y = tf.squeeze(x)
    grad = tf.gradients(tf.reduce_sum(y * y), x)[0]
    got = assert_executors_agree([y, grad], {x: np.full((1, 3, 1), 2.0)})
    np.testing.assert_array_equal(got[1], np.full((1, 3, 1), 4.0))


def test_convolution_with_a_zero_size_filter():
    """The reference convolutions reshaped with -1, ambiguous when a filter dimension is 0."""
    x = tf.placeholder(tf.float64, [1, 3, 3, 1])
    w = tf.placeholder(tf.float64, [None, None, 1, 2])
    y = tf.nn.conv2d(x, w, (1, 2, 2, 1), "SAME")
    dx, dw = tf.gradients(tf.reduce_sum(y), [x, w])
    got = assert_executors_agree([y, dx, dw], {x: np.ones((1, 3, 3, 1)), w: np.ones((5, 0, 1, 2))})
    assert got[0].shape == (1, 2, 2, 2) and not got[0].any() and not got[1].any()


def test_convolution_of_an_input_of_depth_zero():
    """The reference convolutions divided by the group count, 0 for an input of depth 0."""
    x = tf.placeholder(tf.float64, [1, 3, 3, None])
    y = tf.nn.conv2d(x, tf.constant(np.ones((5, 5, 1, 2))), (1, 2, 2, 1), "SAME")
    got = assert_executors_agree([y, tf.gradients(tf.reduce_sum(y), x)[0]], {x: np.ones((1, 3, 3, 0))})
    assert got[0].shape == (1, 2, 2, 2) and not got[0].any() and got[1].shape == (1, 3, 3, 0)


def test_depthwise_convolution_of_unknown_rank_falls_back_instead_of_failing():
    """Its decomposition needs a static kernel size: expand_composites raised ValueError."""
    x, w = tf.placeholder(tf.float64), tf.placeholder(tf.float64)
    y = tf.nn.depthwise_conv2d_native(x, w, (1, 1, 1, 1), "SAME")
    rng = np.random.default_rng(0)
    got, = assert_executors_agree([y], {x: rng.normal(size=(1, 5, 5, 3)), w: rng.normal(size=(3, 3, 3, 2))})
    assert got.shape == (1, 5, 5, 6)


def test_float_floor_division_of_infinities_is_tf_floor_of_the_quotient():
    """The reference used numpy's floor_divide (NaN for -inf // y), the compiled code floor(x / y) as TF."""
    x, y = tf.placeholder(tf.float64, [None]), tf.placeholder(tf.float64, [None])
    got, = assert_executors_agree([tf.floordiv(x, y)], {x: np.array([-np.inf, np.inf, 7.0, -7.0]),
                                                         y: np.array([-1.07, 2.0, 2.0, 2.0])})
    np.testing.assert_array_equal(got, [np.inf, np.inf, 3.0, -4.0])


def test_a_function_fed_a_shape_its_arguments_do_not_take_is_an_invalid_argument_on_both_executors():
    """The compiled If and While refused fed shapes that do not fit their functions'
    arguments (traced for [3, 4] and [3]), where the reference executor ran them anyway."""
    from tests.cases.control_flow import _ELSE, _THEN, _WHILE
    x, v = tf.placeholder(tf.float64, [None, 4]), tf.placeholder(tf.float64)
    branches = apply_op("If", [tf.constant(True), x], then_branch=_THEN, else_branch=_ELSE)
    loop = apply_op("While", [tf.constant(0), v], **_WHILE)
    for fetches, feeds in (([branches], {x: np.zeros((0, 4))}), (list(loop), {v: np.ones(1)})):
        error = assert_executors_agree(fetches, feeds)
        assert isinstance(error, tf.errors.InvalidArgumentError)
    np.testing.assert_array_equal(assert_executors_agree([branches], {x: np.ones((3, 4))})[0], np.full((3, 4), 2.0))


def test_recorded_rows_of_iterations_that_did_not_run_are_zeros():
    """The compiled recording While left those rows as the arena held them."""
    from tests.cases.control_flow import _WHILE
    i, x = tf.placeholder(tf.int32, []), tf.placeholder(tf.float64, [None])
    stack = apply_op("While", [tf.constant(8), i, x], **dict(_WHILE, bounded=True, record=(1,)))[3]
    got, = assert_executors_agree([tf.nn.softplus(stack)], {i: 1, x: np.array([-2.2, 0.0, 0.6])})
    np.testing.assert_array_equal(got[4:], np.full((4, 3), np.log(2.0)))
