"""A tf.data pipeline feeding the model directly: training steps with no feed_dict."""

import graphc as tf

from .data import blobs


def test_dataset_pipeline_trains_a_classifier(rng):
    x_data, y_data = blobs(rng)
    dataset = tf.data.Dataset.from_tensor_slices((x_data, y_data))
    dataset = dataset.shuffle(len(x_data), seed=0).repeat().batch(30).prefetch(30)
    iterator = dataset.make_initializable_iterator()
    X, Y = iterator.get_next()
    W, b = tf.Variable(tf.zeros([2, 3])), tf.Variable(tf.zeros([3]))
    logits = tf.matmul(X, W) + b
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y))
    train_op = tf.train.GradientDescentOptimizer(0.3).minimize(loss)
    evaluation = tf.data.Dataset.from_tensor_slices((x_data, y_data)).map(lambda x, y: (x * 1.0, y)).batch(50)
    eval_iterator = evaluation.make_one_shot_iterator()
    eval_x, eval_y = eval_iterator.get_next()
    eval_correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(tf.matmul(eval_x, W) + b, 1), tf.argmax(eval_y, 1)),
                                         tf.int32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(iterator.initializer)
        for _ in range(100):
            sess.run(train_op)
        total = 0
        while True:
            try:
                total += sess.run(eval_correct)
            except tf.errors.OutOfRangeError:
                break
    assert total / len(x_data) > 0.95
