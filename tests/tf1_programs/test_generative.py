"""An autoencoder, a convolutional one that upsamples with conv2d_transpose, and
a GAN trained with two optimisers on separate var_lists."""
import numpy as np

import graphc as tf

from .data import bar_images


def test_autoencoder_reconstructs_its_inputs(rng):
    basis = rng.normal(size=(3, 12)).astype(np.float32)
    data = 1 / (1 + np.exp(-(rng.normal(size=(64, 3)).astype(np.float32) @ basis)))  # 3-dimensional manifold
    X = tf.placeholder("float", [None, 12])
    weights = {"encoder_h1": tf.Variable(tf.random_normal([12, 3])), "decoder_h1": tf.Variable(tf.random_normal([3, 12]))}
    biases = {"encoder_b1": tf.Variable(tf.random_normal([3])), "decoder_b1": tf.Variable(tf.random_normal([12]))}
    encoder = tf.nn.sigmoid(tf.add(tf.matmul(X, weights["encoder_h1"]), biases["encoder_b1"]))
    decoder = tf.nn.sigmoid(tf.add(tf.matmul(encoder, weights["decoder_h1"]), biases["decoder_b1"]))
    loss = tf.reduce_mean(tf.pow(X - decoder, 2))
    optimizer = tf.train.RMSPropOptimizer(0.05, 0.9).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [sess.run([optimizer, loss], feed_dict={X: data})[1] for _ in range(300)]
    baseline = np.mean((data - data.mean(0)) ** 2)  # predicting the mean
    assert losses[-1] < 0.25 * baseline < losses[0]


def test_convolutional_autoencoder_upsamples_with_conv2d_transpose(rng):
    images, _ = bar_images(rng, 64)
    X = tf.placeholder(tf.float32, [None, 64])
    x = tf.reshape(X, [-1, 8, 8, 1])
    code = tf.layers.conv2d(x, 4, 3, strides=2, padding="same", activation=tf.nn.relu)
    decoded = tf.layers.conv2d_transpose(code, 1, 3, strides=2, padding="same")
    assert code.shape.as_list() == [None, 4, 4, 4] and decoded.shape.as_list() == [None, 8, 8, 1]
    loss = tf.reduce_mean(tf.square(decoded - x))
    train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [sess.run([train_op, loss], feed_dict={X: images})[1] for _ in range(100)]
    baseline = np.mean((images - images.mean(0)) ** 2)  # predicting the mean image
    assert losses[-1] < 0.1 * baseline < losses[0]


def test_gan_generator_learns_the_data_mean(rng):
    real = (3.0 + 0.5 * rng.normal(size=(64, 1))).astype(np.float32)
    gen_input = tf.placeholder(tf.float32, [None, 1], name="input_noise")
    disc_input = tf.placeholder(tf.float32, [None, 1], name="disc_input")
    weights = {"gen": tf.Variable(tf.random_normal([1, 1], stddev=0.1)), "disc_h": tf.Variable(tf.random_normal([1, 8])),
               "disc_out": tf.Variable(tf.random_normal([8, 1]))}
    biases = {"gen": tf.Variable(tf.zeros([1])), "disc_h": tf.Variable(tf.zeros([8])), "disc_out": tf.Variable(tf.zeros([1]))}

    def generator(x):
        return tf.matmul(x, weights["gen"]) + biases["gen"]

    def discriminator(x):
        hidden = tf.nn.tanh(tf.add(tf.matmul(x, weights["disc_h"]), biases["disc_h"]))
        return tf.matmul(hidden, weights["disc_out"]) + biases["disc_out"]

    gen_sample = generator(gen_input)
    disc_real, disc_fake = discriminator(disc_input), discriminator(gen_sample)
    gen_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=disc_fake, labels=tf.ones_like(disc_fake)))
    disc_loss = tf.reduce_mean(
        tf.nn.sigmoid_cross_entropy_with_logits(logits=disc_real, labels=tf.ones_like(disc_real))
        + tf.nn.sigmoid_cross_entropy_with_logits(logits=disc_fake, labels=tf.zeros_like(disc_fake)))
    gen_vars = [weights["gen"], biases["gen"]]
    disc_vars = [weights["disc_h"], weights["disc_out"], biases["disc_h"], biases["disc_out"]]
    train_gen = tf.train.AdamOptimizer(learning_rate=0.05).minimize(gen_loss, var_list=gen_vars)
    train_disc = tf.train.AdamOptimizer(learning_rate=0.05).minimize(disc_loss, var_list=disc_vars)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(300):
            noise = rng.uniform(-1.0, 1.0, size=[64, 1])
            sess.run([train_gen, train_disc], feed_dict={disc_input: real, gen_input: noise})
        mean = sess.run(gen_sample, feed_dict={gen_input: rng.uniform(-1.0, 1.0, size=[256, 1])}).mean()
    assert abs(mean - 3.0) < 0.5
