"""word2vec with nce_loss: words seen in the same contexts end up with similar embeddings."""
import numpy as np

import graphc as tf


def test_skip_gram_embeddings_group_words_of_the_same_topic(rng):
    vocabulary_size, embedding_size = 20, 8
    # Words 0-9 and 10-19 are two topics; a word's context is another word of its topic.
    centre = rng.integers(0, vocabulary_size, 4000)
    context = (centre // 10) * 10 + rng.integers(0, 10, 4000)
    train_inputs = tf.placeholder(tf.int32, shape=[None])
    train_labels = tf.placeholder(tf.int32, shape=[None, 1])
    valid_dataset = tf.constant(np.array([np.int32(1), np.int32(12)]), dtype=tf.int32)
    embeddings = tf.Variable(tf.random_uniform([vocabulary_size, embedding_size], -1.0, 1.0))
    embed = tf.nn.embedding_lookup(embeddings, train_inputs)
    nce_weights = tf.Variable(tf.truncated_normal([vocabulary_size, embedding_size], stddev=1.0 / np.sqrt(embedding_size)))
    nce_biases = tf.Variable(tf.zeros([vocabulary_size]))
    loss = tf.reduce_mean(tf.nn.nce_loss(nce_weights, nce_biases, train_labels, embed, 6, vocabulary_size))
    optimizer = tf.train.GradientDescentOptimizer(1.0).minimize(loss)
    norm = tf.sqrt(tf.reduce_sum(tf.square(embeddings), 1, keep_dims=True))
    normalized_embeddings = embeddings / norm
    valid_embeddings = tf.nn.embedding_lookup(normalized_embeddings, valid_dataset)
    similarity = tf.matmul(valid_embeddings, normalized_embeddings, transpose_b=True)
    probe = tf.nn.embedding_lookup(embeddings, tf.convert_to_tensor([np.int32(3), np.int32(4)]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(200):
            batch = slice(step * 20 % 4000, step * 20 % 4000 + 20)
            sess.run(optimizer, feed_dict={train_inputs: centre[batch], train_labels: context[batch, None]})
        sim, probed, table = sess.run([similarity, probe, embeddings])
    np.testing.assert_array_equal(probed, table[[3, 4]])
    same_topic = [sim[0, :10].mean(), sim[1, 10:].mean()]
    other_topic = [sim[0, 10:].mean(), sim[1, :10].mean()]
    assert min(same_topic) > max(other_topic) + 0.2
