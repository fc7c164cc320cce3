"""log_uniform_candidate_sampler, nce_loss and sampled_softmax_loss against numpy."""
import numpy as np
import pytest

import graphc as tf


def _log_uniform(classes, range_max):
    classes = np.asarray(classes, np.float64)
    return np.log((classes + 2) / (classes + 1)) / np.log(range_max + 1)


@pytest.mark.parametrize("executor", ["llvm", "reference"])
def test_sampler_draws_distinct_seeded_classes_with_tf_expected_counts(executor):
    labels = tf.placeholder(tf.int32, [None, 1])
    sampled, true_expected, sampled_expected = tf.nn.log_uniform_candidate_sampler(labels, 1, 10, True, 40, seed=5)
    num_tries = sampled.op.outputs[1]
    with tf.Session(executor=executor) as sess:
        runs = [sess.run([sampled, true_expected, sampled_expected, num_tries], {labels: [[0], [7]]})
                for _ in range(3)]
    with tf.Session(executor=executor) as sess:
        again = sess.run(sampled, {labels: [[0], [7]]})
    np.testing.assert_array_equal(again, runs[0][0])  # a seeded op draws the same in a new session
    assert not np.array_equal(runs[0][0], runs[1][0])  # and something new on every run
    for classes, want_true, want_sampled, tries in runs:
        assert classes.dtype == np.int64 and len(set(classes)) == 10 and 0 <= classes.min() and classes.max() < 40
        assert tries >= 10

        def expected(c, tries=tries):
            p = _log_uniform(c, 40)
            return p * 10 if tries == 10 else -np.expm1(tries * np.log1p(-p))
        np.testing.assert_allclose(want_true, expected([[0], [7]]), rtol=1e-5)
        np.testing.assert_allclose(want_sampled, expected(classes), rtol=1e-5)


def test_sampler_with_repeats_follows_the_log_uniform_distribution():
    sampled, _, sampled_expected = tf.nn.log_uniform_candidate_sampler([[0]], 1, 20000, False, 10, seed=1)
    with tf.Session() as sess:
        classes, counts = sess.run([sampled, sampled_expected])
    frequencies = np.bincount(classes, minlength=10) / len(classes)
    np.testing.assert_allclose(frequencies, _log_uniform(np.arange(10), 10), atol=0.01)
    np.testing.assert_allclose(counts, _log_uniform(classes, 10) * 20000, rtol=1e-5)


def test_sampler_rejects_more_distinct_classes_than_exist():
    with pytest.raises(ValueError, match="cannot draw 5 distinct classes"):
        tf.nn.log_uniform_candidate_sampler([[0]], 1, 5, True, 4)


def _sampled_logits(weights, biases, labels, inputs, sampled, true_expected, sampled_expected):
    true_logits = np.einsum("bd,btd->bt", inputs, weights[labels]) + biases[labels] - np.log(true_expected)
    sampled_logits = inputs @ weights[sampled].T + biases[sampled] - np.log(sampled_expected)
    return true_logits, sampled_logits


@pytest.fixture
def problem(rng):
    weights = rng.normal(size=(12, 4)).astype(np.float32)
    biases = rng.normal(size=12).astype(np.float32)
    inputs = rng.normal(size=(3, 4)).astype(np.float32)
    labels = np.array([[1, 5], [2, 0], [7, 3]], np.int64)
    sampled = np.array([0, 4, 9], np.int64)
    true_expected = rng.uniform(0.1, 1, size=(3, 2)).astype(np.float32)
    sampled_expected = rng.uniform(0.1, 1, size=3).astype(np.float32)
    return weights, biases, labels, inputs, sampled, true_expected, sampled_expected


def test_nce_loss_matches_the_tf1_formula(problem):
    weights, biases, labels, inputs, sampled, true_expected, sampled_expected = problem
    loss = tf.nn.nce_loss(tf.constant(weights), tf.constant(biases), labels, inputs, num_sampled=3, num_classes=12,
                          num_true=2, sampled_values=(sampled, true_expected, sampled_expected))
    with tf.Session() as sess:
        got = sess.run(loss)
    true_logits, sampled_logits = _sampled_logits(*problem)
    softplus = lambda x: np.logaddexp(0, x)
    want = (0.5 * softplus(-true_logits) + 0.5 * softplus(true_logits)).sum(1) + softplus(sampled_logits).sum(1)
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_sampled_softmax_loss_removes_accidental_hits(problem):
    weights, biases, labels, inputs, sampled, true_expected, sampled_expected = problem
    loss = tf.nn.sampled_softmax_loss(weights, biases, labels, inputs, num_sampled=3, num_classes=12, num_true=2,
                                      sampled_values=(sampled, true_expected, sampled_expected))
    with tf.Session() as sess:
        got = sess.run(loss)
    true_logits, sampled_logits = _sampled_logits(*problem)
    sampled_logits[(labels[:, :, None] == sampled[None, None, :]).any(1)] = -np.inf  # class 0 in row 1
    logits = np.concatenate([true_logits, sampled_logits], 1)
    log_softmax = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
    want = -(0.5 * log_softmax[:, 0] + 0.5 * log_softmax[:, 1])
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_word_embeddings_learn_with_nce_loss_in_a_compiled_step():
    tf.set_random_seed(0)
    vocab, dim = 30, 6
    embeddings = tf.Variable(tf.random_uniform([vocab, dim], -1.0, 1.0))
    weights = tf.Variable(tf.truncated_normal([vocab, dim], stddev=1.0 / np.sqrt(dim)))
    biases = tf.Variable(tf.zeros([vocab]))
    words = tf.placeholder(tf.int32, [None])
    contexts = tf.placeholder(tf.int32, [None, 1])
    loss = tf.reduce_mean(tf.nn.nce_loss(weights, biases, contexts, tf.nn.embedding_lookup(embeddings, words),
                                         5, vocab))
    train = tf.train.GradientDescentOptimizer(1.0).minimize(loss)
    feed = {words: np.arange(vocab), contexts: ((np.arange(vocab) + 1) % vocab)[:, None]}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [sess.run([train, loss], feed)[1] for _ in range(200)]
        plan = sess.make_callable([train, loss], [words, contexts]).plan
    assert np.mean(losses[-10:]) < np.mean(losses[:10]) / 3
    assert type(plan._compiled).__name__ == "LLVMExecutable"
