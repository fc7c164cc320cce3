"""Save, then restore in a later process, the way TF1 programs checkpoint."""
import os
import subprocess
import sys
import textwrap

import numpy as np

import graphc as tf
from graphc.train import checkpoint_io

RESTORE = textwrap.dedent("""
    import sys
    import numpy as np
    import graphc as tf
    W = tf.Variable(tf.random_normal([3, 2]), name="W")
    step = tf.Variable(0, name="global_step", trainable=False)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        ckpt = tf.train.get_checkpoint_state(sys.argv[1])
        saver.restore(sess, ckpt.model_checkpoint_path)
        np.save(sys.argv[2], sess.run(W))
        print(ckpt.model_checkpoint_path, sess.run(step))
""")


def test_a_checkpoint_written_here_is_restored_by_another_process(tmp_path):
    W = tf.Variable(tf.random_normal([3, 2]), name="W")
    step = tf.Variable(0, name="global_step", trainable=False)
    saver = tf.train.Saver()
    later = tf.Variable(1.0, name="created_after_the_saver")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(step, 7))
        path = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=step)
        saved = sess.run(W)
    assert path == str(tmp_path / "model.ckpt-7")
    with tf.Session() as sess:  # a second session on the same graph: initialise, then restore
        sess.run(tf.global_variables_initializer())
        saver.restore(sess, tf.train.get_checkpoint_state(str(tmp_path)).model_checkpoint_path)
        np.testing.assert_array_equal(sess.run(W), saved)
        assert later.eval() == 1.0 and set(checkpoint_io.read_checkpoint(path)) == {"W", "global_step"}
    out = subprocess.run([sys.executable, "-c", RESTORE, str(tmp_path), str(tmp_path / "w.npy")], check=True,
                         capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""})
    assert out.stdout.split() == [path, "7"]
    np.testing.assert_array_equal(np.load(tmp_path / "w.npy"), saved)
