"""tf.layers inside variable_scope: a network applied twice shares its weights."""

import graphc as tf

from .data import bar_images


def conv_net(x, n_classes, dropout, reuse, is_training):
    with tf.variable_scope("ConvNet", reuse=reuse):
        x = tf.reshape(x, shape=[-1, 8, 8, 1])
        conv1 = tf.layers.conv2d(x, 4, 3, activation=tf.nn.relu)
        conv1 = tf.layers.max_pooling2d(conv1, 2, 2)
        smooth = tf.layers.average_pooling2d(x, 2, 2)
        fc1 = tf.concat([tf.contrib.layers.flatten(conv1), tf.contrib.layers.flatten(smooth)], axis=1)
        fc1 = tf.layers.dense(fc1, 16, activation=tf.nn.relu)
        fc1 = tf.layers.dropout(fc1, rate=dropout, training=is_training)
        return tf.layers.dense(fc1, units=n_classes)


def test_train_and_test_towers_share_weights(rng):
    x_data, y_data = bar_images(rng, 64)
    X = tf.placeholder(tf.float32, [None, 64])
    Y = tf.placeholder(tf.int32, [None])
    logits_train = conv_net(X, 2, 0.25, reuse=False, is_training=True)
    logits_test = conv_net(X, 2, 0.25, reuse=True, is_training=False)
    scoped = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="ConvNet")
    assert len(scoped) == len(tf.trainable_variables()) == 6  # the second tower made no variables
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(logits=logits_train, labels=Y))
    train_op = tf.train.AdamOptimizer(learning_rate=0.01).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits_test, 1), tf.cast(Y, tf.int64)), tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(60):
            sess.run(train_op, feed_dict={X: x_data, Y: y_data.argmax(1)})
        test_x, test_y = bar_images(rng, 32)
        assert sess.run(accuracy, feed_dict={X: test_x, Y: test_y.argmax(1)}) > 0.9
