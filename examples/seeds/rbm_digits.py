"""Seed: a restricted Boltzmann machine, "a shallow two layer net" whose forward
pass encodes the input and whose backward pass reconstructs it, trained by
contrastive divergence (CD-1) written in graph ops: no autodiff, the update is
positive minus negative statistics. 64 visible units (the binarised 8x8
digits), 32 hidden. Prints the reconstruction error per epoch and at the end,
next to that of the untrained machine."""
import numpy as np

import graphc as tf

from digits import load_digits
from run_options import parse_options

VISIBLE, HIDDEN = 64, 32


def sample(probabilities):
    """1 with the given probability, else 0."""
    return tf.cast(tf.random_uniform(tf.shape(probabilities)) < probabilities, tf.float32)


def build(learning_rate):
    v0 = tf.placeholder(tf.float32, [None, VISIBLE], name="visible")
    w = tf.Variable(tf.random_normal([VISIBLE, HIDDEN], stddev=0.01), name="weights")
    b_visible = tf.Variable(tf.zeros([VISIBLE]), name="visible_bias")
    b_hidden = tf.Variable(tf.zeros([HIDDEN]), name="hidden_bias")

    def hidden_given(v):
        return tf.sigmoid(tf.matmul(v, w) + b_hidden)

    def visible_given(h):
        return tf.sigmoid(tf.matmul(h, w, transpose_b=True) + b_visible)

    h0 = hidden_given(v0)                    # forward pass: encode
    v1 = visible_given(sample(h0))           # backward pass: reconstruct
    h1 = hidden_given(v1)
    batch = tf.cast(tf.shape(v0)[0], tf.float32)
    positive, negative = tf.matmul(v0, h0, transpose_a=True), tf.matmul(v1, h1, transpose_a=True)
    step = tf.group(
        tf.assign_add(w, learning_rate * (positive - negative) / batch),
        tf.assign_add(b_visible, learning_rate * tf.reduce_mean(v0 - v1, 0)),
        tf.assign_add(b_hidden, learning_rate * tf.reduce_mean(h0 - h1, 0)))
    error = tf.reduce_mean(tf.square(v0 - visible_given(hidden_given(v0))))
    return v0, step, error


if __name__ == "__main__":
    args = parse_options(__doc__, epochs=20)
    rng = np.random.default_rng(0)
    x_train, _, x_test, _ = load_digits()
    x_train = (x_train.reshape(-1, VISIBLE) > 0.5).astype(np.float32)
    x_test = (x_test.reshape(-1, VISIBLE) > 0.5).astype(np.float32)
    v0, step, error = build(learning_rate=0.1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        train, measure = sess.make_callable(step, [v0]), sess.make_callable(error, [v0])
        untrained = measure(x_test)
        for epoch in range(args.epochs):
            order = rng.permutation(len(x_train))
            for start in range(0, len(order), 20):
                train(x_train[order[start:start + 20]])
            print(f"epoch {epoch + 1} reconstruction error {measure(x_train):.4f}")
        print(f"test reconstruction error {measure(x_test):.4f} (untrained: {untrained:.4f})")
