"""Run in a subprocess by test_files.py: save checkpoint `<dir>/model-1`, then
start saving again (`model-2`, or `model-1` once more with `same`) and hang
in the `stop_at`-th fsync, printing "FSYNC n path" before each, so the test
can kill -9 this process in the middle of Saver.save."""
import os
import sys
import time

import numpy as np

import graphc as tf


def main(directory, stop_at, same):
    w = tf.Variable(np.ones((256, 256), np.float32), name="w")
    sess = tf.Session(executor="reference")
    sess.run(tf.global_variables_initializer())
    saver = tf.train.Saver()
    saver.save(sess, os.path.join(directory, "model"), global_step=1)
    sess.run(w.assign(np.full((256, 256), 2.0, np.float32)))
    real_fsync, calls = os.fsync, [0]

    def fsync(fd):
        calls[0] += 1
        print(f"FSYNC {calls[0]} {os.readlink(f'/proc/self/fd/{fd}')}", flush=True)
        if calls[0] == stop_at:
            time.sleep(120)
        real_fsync(fd)
    os.fsync = fsync
    saver.save(sess, os.path.join(directory, "model"), global_step=1 if same else 2)
    print("DONE", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3] == "same")
