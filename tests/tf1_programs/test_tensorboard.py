"""TensorBoard logging: scalar and histogram summaries of every variable and gradient."""
import glob
import os
import sys
import types

import numpy as np
import pytest

import graphc as tf

pytest.importorskip("tensorboard", reason="reading event files back needs the tensorboard package")
sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))  # no TensorFlow
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def test_summaries_of_a_training_run_reach_the_event_file(tmp_path, rng):
    x = tf.placeholder(tf.float32, [None, 3], name="InputData")
    y = tf.placeholder(tf.float32, [None, 1], name="LabelData")
    with tf.name_scope("Model"):
        W = tf.Variable(tf.zeros([3, 1]), name="Weights")
        b = tf.Variable(tf.zeros([1]), name="Bias")
        pred = tf.matmul(x, W) + b
    with tf.name_scope("Loss"):
        loss = tf.reduce_mean(tf.square(pred - y))
    optimizer = tf.train.GradientDescentOptimizer(0.1)
    grads = tf.gradients(loss, tf.trainable_variables())
    grads = list(zip(grads, tf.trainable_variables()))
    apply_grads = optimizer.apply_gradients(grads_and_vars=grads)
    tf.summary.scalar("loss", loss)
    for var in tf.trainable_variables():
        tf.summary.histogram(var.name, var)
    for grad, var in grads:
        tf.summary.histogram(var.name + "/gradient", grad)
    merged_summary_op = tf.summary.merge_all()
    data = rng.normal(size=(32, 3)).astype(np.float32)
    target = data @ np.array([[1.0], [2.0], [-1.0]], np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        summary_writer = tf.summary.FileWriter(str(tmp_path), graph=tf.get_default_graph())
        for step in range(20):
            _, _, summary = sess.run([apply_grads, loss, merged_summary_op], feed_dict={x: data, y: target})
            summary_writer.add_summary(summary, step)
        summary_writer.close()
    files = glob.glob(os.path.join(str(tmp_path), "events.out.tfevents.*"))
    assert len(files) == 1
    events = EventAccumulator(files[0])
    events.Reload()
    tags = events.Tags()
    assert set(tags["histograms"]) == {"Model/Weights_0", "Model/Bias_0", "Model/Weights_0/gradient",
                                       "Model/Bias_0/gradient"}
    losses = [e.value for e in events.Scalars("loss_1")]  # TF1 names are unique ignoring case: "Loss" exists
    assert len(losses) == 20 and losses[-1] < losses[0] / 10
    assert events.Histograms("Model/Weights_0")[0].histogram_value.num == 3
