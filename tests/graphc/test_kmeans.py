"""tf.contrib.factorization.KMeans against numpy k-means from the same initial centres."""
import numpy as np
import pytest

import graphc as tf
from graphc.contrib.factorization import KMeans


def _blobs(rng):
    centres = np.array([[0.0, 4.0], [4.0, 0.0], [-4.0, -4.0]], np.float32)
    return np.concatenate([c + 0.5 * rng.normal(size=(20, 2)).astype(np.float32) for c in centres])


def _normalised(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _numpy_step(points, centres, counts, metric, mini_batch):
    """One TF k-means step: assignment by distance, then the centre update."""
    if metric == "cosine":
        points = _normalised(points)
        distances = 1 - points @ _normalised(centres).T
    else:
        distances = ((points[:, None, :] - centres[None]) ** 2).sum(-1)
    idx = distances.argmin(1)
    sums = np.zeros_like(centres)
    np.add.at(sums, idx, points)
    n = np.bincount(idx, minlength=len(centres))
    if mini_batch:
        counts = counts + n
        return centres + (sums - n[:, None] * centres) / np.maximum(counts, 1)[:, None], counts, idx, distances
    new = sums / (n[:, None] + 1e-6)
    return (_normalised(new) if metric == "cosine" else new), counts, idx, distances


@pytest.mark.parametrize("metric", ["squared_euclidean", "cosine"])
@pytest.mark.parametrize("mini_batch", [False, True])
def test_training_graph_steps_match_numpy_kmeans(rng, metric, mini_batch):
    data = _blobs(rng)
    x = tf.placeholder(tf.float32, [None, 2])
    graph = KMeans(inputs=x, num_clusters=3, distance_metric=metric, use_mini_batch=mini_batch).training_graph()
    assert len(graph) == 7
    all_scores, cluster_idx, scores, initialized, centres_var, init_op, train_op = graph
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer(), feed_dict={x: data})
        assert not sess.run(initialized)
        sess.run(init_op, feed_dict={x: data})
        centres = sess.run(centres_var)
        rows = _normalised(data) if metric == "cosine" else data  # the initial centres are distinct points
        assert all(np.isclose(rows, c, atol=1e-6).all(1).any() for c in centres) and len(np.unique(centres, axis=0)) == 3
        sess.run(init_op, feed_dict={x: data})  # a second run keeps them
        np.testing.assert_array_equal(sess.run(centres_var), centres)
        counts = np.ones(3, np.int64)
        for _ in range(4):
            want_centres, counts, want_idx, want_scores = _numpy_step(data, centres, counts, metric, mini_batch)
            _, got_scores, got_idx, got_min = sess.run([train_op, all_scores[0], cluster_idx[0], scores[0]], {x: data})
            np.testing.assert_allclose(got_scores, want_scores, rtol=1e-4, atol=1e-4)
            np.testing.assert_array_equal(got_idx, want_idx)
            np.testing.assert_allclose(got_min, want_scores.min(1), rtol=1e-4, atol=1e-4)
            centres = sess.run(centres_var)
            np.testing.assert_allclose(centres, want_centres, rtol=1e-4, atol=1e-5)
        assert sess.run(initialized)


def test_bad_arguments_are_named():
    x = tf.placeholder(tf.float32, [None, 2])
    with pytest.raises(ValueError, match="distance_metric"):
        KMeans(x, 2, distance_metric="manhattan")
    with pytest.raises(ValueError, match="known number of columns"):
        KMeans(tf.placeholder(tf.float32, [None, None]), 2)
