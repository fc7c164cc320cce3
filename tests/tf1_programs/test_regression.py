"""Linear and logistic regression, the first programs of every TF1 tutorial."""
import numpy as np

import graphc as tf

from .data import blobs


def test_linear_regression_fits_the_line(rng):
    train_x = rng.uniform(-2, 2, 30)
    train_y = 0.7 * train_x + 2.0 + 0.1 * rng.normal(size=30)
    X, Y = tf.placeholder("float"), tf.placeholder("float")
    W, b = tf.Variable(rng.normal(), name="weight"), tf.Variable(rng.normal(), name="bias")
    pred = tf.add(tf.multiply(X, W), b)
    cost = tf.reduce_sum(tf.pow(pred - Y, 2)) / (2 * 30)
    optimizer = tf.train.GradientDescentOptimizer(0.2).minimize(cost)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for x, y in zip(train_x[:3], train_y[:3]):  # Python floats into shape-less placeholders
            sess.run(optimizer, feed_dict={X: float(x), Y: float(y)})
        for _ in range(200):
            sess.run(optimizer, feed_dict={X: train_x, Y: train_y})  # float64 arrays into float32
        training_cost = sess.run(cost, feed_dict={X: train_x, Y: train_y})
        print("cost=%f W=%f b=%f" % (training_cost, sess.run(W), sess.run(b)))  # noqa: UP031 (TF1 style)
        w_fit, b_fit = np.polyfit(train_x, train_y, 1)
        assert abs(sess.run(W) - w_fit) < 1e-3 and abs(sess.run(b) - b_fit) < 1e-3


def test_logistic_regression_classifies_blobs(rng):
    x_data, y_data = blobs(rng)
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.placeholder(tf.float32, [None, 3])
    W, b = tf.Variable(tf.zeros([2, 3])), tf.Variable(tf.zeros([3]))
    pred = tf.nn.softmax(tf.matmul(x, W) + b)
    cost = tf.reduce_mean(-tf.reduce_sum(y * tf.log(pred + 1e-10), reduction_indices=1))
    optimizer = tf.train.GradientDescentOptimizer(0.5).minimize(cost)
    correct = tf.equal(tf.argmax(pred, 1), tf.argmax(y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, "float"))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(100):
            sess.run([optimizer, cost], feed_dict={x: x_data, y: y_data})
        assert accuracy.eval({x: x_data, y: y_data}) > 0.95  # the default session, feed_dict positional
        probabilities = pred.eval({x: x_data[:5]})
        np.testing.assert_allclose(probabilities.sum(1), 1.0, rtol=1e-5)
