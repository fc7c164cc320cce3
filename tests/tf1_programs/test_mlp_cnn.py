"""A multilayer perceptron and a convolutional network, with dropout fed through keep_prob."""
import numpy as np

import graphc as tf

from .data import bar_images, blobs


def test_mlp_with_dropout_learns(rng):
    x_data, y_data = blobs(rng, centres=((0, 0), (3, 3), (0, 3), (3, 0)), spread=0.4)
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.placeholder(tf.float32, [None, 4])
    keep_prob = tf.placeholder(tf.float32)
    weights = {"h1": tf.Variable(tf.random_normal([2, 32], stddev=0.5)), "out": tf.Variable(tf.random_normal([32, 4]))}
    biases = {"b1": tf.Variable(tf.zeros([32])), "out": tf.Variable(tf.zeros([4]))}
    layer_1 = tf.nn.relu(tf.add(tf.matmul(x, weights["h1"]), biases["b1"]))
    layer_1 = tf.nn.dropout(layer_1, keep_prob)
    logits = tf.matmul(layer_1, weights["out"]) + biases["out"]
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=y))
    train = tf.train.AdamOptimizer(learning_rate=0.05).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(150):
            sess.run(train, feed_dict={x: x_data, y: y_data, keep_prob: 0.8})
        acc = sess.run(accuracy, feed_dict={x: x_data, y: y_data, keep_prob: 1.0})
        dropped = sess.run(layer_1, feed_dict={x: x_data, keep_prob: 0.5})
    assert acc > 0.95
    assert 0.3 < np.mean(dropped == 0) < 0.9  # dropout is active when keep_prob < 1


def conv2d(x, W, b, strides=1):
    x = tf.nn.conv2d(x, W, strides=[1, strides, strides, 1], padding="SAME")
    return tf.nn.relu(tf.nn.bias_add(x, b))


def maxpool2d(x, k=2):
    return tf.nn.max_pool(x, ksize=[1, k, k, 1], strides=[1, k, k, 1], padding="SAME")


def test_cnn_tells_horizontal_from_vertical_bars(rng):
    tf.set_random_seed(1)  # the initial weights: some unseeded draws learn too slowly for the bound below
    x_data, y_data = bar_images(rng, 64)
    X = tf.placeholder(tf.float32, [None, 64])
    Y = tf.placeholder(tf.float32, [None, 2])
    keep_prob = tf.placeholder(tf.float32)
    conv1 = maxpool2d(conv2d(tf.reshape(X, shape=[-1, 8, 8, 1]), tf.Variable(tf.random_normal([3, 3, 1, 8])),
                             tf.Variable(tf.random_normal([8]))))
    fc1 = tf.reshape(conv1, [-1, 4 * 4 * 8])
    assert fc1.get_shape().as_list() == [None, 128]
    fc1 = tf.nn.dropout(tf.nn.relu(tf.matmul(fc1, tf.Variable(tf.random_normal([128, 16], stddev=0.1)))), keep_prob)
    logits = tf.matmul(fc1, tf.Variable(tf.random_normal([16, 2], stddev=0.1)))
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y))
    train = tf.train.AdamOptimizer(learning_rate=0.01).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(tf.nn.softmax(logits), 1), tf.argmax(Y, 1)), tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(60):
            sess.run(train, feed_dict={X: x_data, Y: y_data, keep_prob: 0.75})
        test_x, test_y = bar_images(rng, 32)
        assert sess.run(accuracy, feed_dict={X: test_x, Y: test_y, keep_prob: 1.0}) > 0.9
        flat = tf.contrib.layers.flatten(conv1)  # built after training, run in the same session
        assert sess.run(flat, {X: test_x[:2]}).shape == (2, 128)
