"""An LSTM learns to predict the next value of noisy sine waves (random
frequency and phase per sequence), TF1 style: `tf.nn.dynamic_rnn` over a
[batch, time, 1] placeholder, a linear read-out at every step, Adam, and
backpropagation through time by the While loop's gradient. Prints the loss
as it falls, then the test loss next to two baselines: predicting zero, and
repeating the current value."""
import argparse

import numpy as np

import graphc as tf


def sine_waves(rng, count, steps, noise):
    """[count, steps + 1, 1] noisy sine waves of random frequency and phase."""
    frequency = rng.uniform(0.15, 0.45, size=(count, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(count, 1))
    waves = np.sin(phase + frequency * np.arange(steps + 1)) + rng.normal(0, noise, size=(count, steps + 1))
    return waves.astype(np.float32)[:, :, None]


def next_value_model(x, hidden):
    """Per step, the LSTM's prediction of the next value: [batch, time, 1]."""
    outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(hidden), x, dtype=tf.float32)
    w = tf.Variable(tf.random_normal([hidden, 1], stddev=0.3), name="w")
    b = tf.Variable(tf.zeros([1]), name="b")
    return tf.reshape(tf.matmul(tf.reshape(outputs, [-1, hidden]), w) + b, tf.shape(x))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=300, help="training steps")
    parser.add_argument("--batch", type=int, default=32, help="sequences per step")
    parser.add_argument("--length", type=int, default=24, help="time steps per sequence")
    parser.add_argument("--hidden", type=int, default=24, help="LSTM units")
    parser.add_argument("--noise", type=float, default=0.05, help="standard deviation of the noise")
    parser.add_argument("--learning-rate", type=float, default=0.01)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, args.length, 1], name="x")
    y = tf.placeholder(tf.float32, [None, args.length, 1], name="y")
    predictions = next_value_model(x, args.hidden)
    loss = tf.reduce_mean(tf.square(predictions - y), name="loss")
    train = tf.train.AdamOptimizer(args.learning_rate).minimize(loss)
    test = sine_waves(rng, 256, args.length, args.noise)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(1, args.steps + 1):
            waves = sine_waves(rng, args.batch, args.length, args.noise)
            _, current = sess.run([train, loss], {x: waves[:, :-1], y: waves[:, 1:]})
            if step == 1 or step % 50 == 0:
                print(f"step {step:4d}  loss {current:.5f}")
        test_loss = sess.run(loss, {x: test[:, :-1], y: test[:, 1:]})
    print(f"test loss {test_loss:.5f}  (predicting zero: {np.mean(test[:, 1:] ** 2):.5f}, "
          f"repeating the current value: {np.mean((test[:, 1:] - test[:, :-1]) ** 2):.5f})")


if __name__ == "__main__":
    main()
