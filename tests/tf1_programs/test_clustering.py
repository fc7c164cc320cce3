"""k-means with tf.contrib.factorization.KMeans, and nearest neighbour with tf.arg_min."""
import numpy as np

import graphc as tf

from .data import blobs


def test_kmeans_clusters_blobs_with_cosine_distance_in_mini_batches(rng):
    full_data_x, labels = blobs(rng, centres=((5.0, 0.5), (0.5, 5.0), (-5.0, -0.5)))
    X = tf.placeholder(tf.float32, shape=[None, 2])
    kmeans = tf.contrib.factorization.KMeans(inputs=X, num_clusters=6, distance_metric="cosine", use_mini_batch=True)
    training_graph = kmeans.training_graph()
    (_all_scores, cluster_idx, scores, _cluster_centers_initialized, _cluster_centers_var, init_op,
     train_op) = training_graph
    cluster_idx = cluster_idx[0]
    avg_distance = tf.reduce_mean(scores)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer(), feed_dict={X: full_data_x})
        sess.run(init_op, feed_dict={X: full_data_x})
        for _ in range(10):
            _, d, idx = sess.run([train_op, avg_distance, cluster_idx], feed_dict={X: full_data_x})
    # Label each cluster with its most frequent class, as the TF1 example does.
    counts = np.zeros((6, 3))
    np.add.at(counts, idx, labels)
    accuracy = np.mean(np.argmax(counts, 1)[idx] == labels.argmax(1))
    assert accuracy > 0.95 and d < 0.05


def test_nearest_neighbour_with_arg_min(rng):
    x_train, y_train = blobs(rng, n_per_class=20)
    x_test, y_test = blobs(rng, n_per_class=5)
    xtr = tf.placeholder("float", [None, 2])
    xte = tf.placeholder("float", [2])
    distance = tf.reduce_sum(tf.abs(tf.add(xtr, tf.negative(xte))), reduction_indices=1)
    pred = tf.arg_min(distance, 0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        predicted = [sess.run(pred, feed_dict={xtr: x_train, xte: x_test[i, :]}) for i in range(len(x_test))]
    want = [np.abs(x_train - x).sum(1).argmin() for x in x_test]
    assert predicted == want
    assert np.mean(np.argmax(y_train[predicted], 1) == np.argmax(y_test, 1)) > 0.9
