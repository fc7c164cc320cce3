"""`tf.contrib.factorization.KMeans`: k-means clustering as graph ops, the TF1 way.

`training_graph()` returns TF>=1.4's 7-tuple `(all_scores, cluster_idx,
scores, cluster_centers_initialized, cluster_centers_var, init_op,
train_op)`; `init_op` picks the initial centres from the batch fed when it
runs, `train_op` does one full-batch (Lloyd) or mini-batch (running mean)
step. Cosine distance works on L2-normalised points, as TF's does.
"""
import numpy as np

from ... import dtypes
from ...graph import control_dependencies, name_scope
from ...ops.array import expand_dims, ones_like, transpose
from ...ops.building import convert_to_tensor
from ...ops.control import group
from ...ops.math import (
    add_n,
    argmin,
    cast,
    matmul,
    maximum,
    reduce_min,
    reduce_sum,
    square,
    unsorted_segment_sum,
)
from ...ops.normalization import l2_normalize
from ...ops.random import random_shuffle
from ...variables import Variable, assign

SQUARED_EUCLIDEAN_DISTANCE = "squared_euclidean"
COSINE_DISTANCE = "cosine"
RANDOM_INIT = "random"
KMEANS_PLUS_PLUS_INIT = "kmeans_plus_plus"
_EPSILON = 1e-6  # TF's guard against empty clusters in a full-batch step


class KMeans:
    """Builds the k-means graph for `inputs` (a [batch, dim] tensor or a list of them)."""

    def __init__(self, inputs, num_clusters, initial_clusters=RANDOM_INIT, distance_metric=SQUARED_EUCLIDEAN_DISTANCE,
                 use_mini_batch=False, mini_batch_steps_per_iteration=1, random_seed=0,
                 kmeans_plus_plus_num_retries=2, kmc2_chain_length=200):
        if distance_metric not in (SQUARED_EUCLIDEAN_DISTANCE, COSINE_DISTANCE):
            raise ValueError(f"KMeans: distance_metric must be '{SQUARED_EUCLIDEAN_DISTANCE}' or "
                             f"'{COSINE_DISTANCE}', got {distance_metric!r}")
        if isinstance(initial_clusters, str) and initial_clusters != RANDOM_INIT:
            raise ValueError(f"KMeans: initial_clusters {initial_clusters!r} is not supported; use "
                             f"'{RANDOM_INIT}', an array or tensor of centres, or a function (inputs, k) -> centres")
        if use_mini_batch and mini_batch_steps_per_iteration != 1:
            raise ValueError("KMeans: only mini_batch_steps_per_iteration=1 is supported (centres are updated "
                             f"after every batch), got {mini_batch_steps_per_iteration}")
        self._inputs = [convert_to_tensor(x) for x in (inputs if isinstance(inputs, list) else [inputs])]
        self._num_clusters = int(num_clusters)
        self._initial_clusters = initial_clusters
        self._distance_metric = distance_metric
        self._use_mini_batch = use_mini_batch
        self._random_seed = random_seed
        dims = {x.shape[1] if x.shape.ndims == 2 else None for x in self._inputs}
        if None in dims or len(dims) != 1:
            raise ValueError("KMeans: inputs must be 2-D tensors with the same, known number of columns, got "
                             f"shapes {[str(x.shape) for x in self._inputs]}")
        self._dim = dims.pop()

    def training_graph(self):
        """(all_scores, cluster_idx, scores, cluster_centers_initialized,
        cluster_centers_var, init_op, training_op); the first three are lists, one per input."""
        k, dtype = self._num_clusters, self._inputs[0].dtype
        inputs = self._inputs
        if self._distance_metric == COSINE_DISTANCE:
            inputs = [l2_normalize(x, 1) for x in inputs]
        centers = Variable(np.zeros((k, self._dim), dtype.np), name="clusters", trainable=False)
        initialized = Variable(False, name="initialized", trainable=False)
        all_scores = self._distances(inputs, centers)
        cluster_idx = [argmin(s, 1) for s in all_scores]
        scores = [reduce_min(s, 1) for s in all_scores]
        init_op = self._init_op(inputs[0], centers, initialized)
        if self._use_mini_batch:
            counts = Variable(np.ones(k, np.int64), name="cluster_counts", trainable=False)
            training_op = self._mini_batch_step(inputs, cluster_idx, centers, counts)
        else:
            training_op = self._full_batch_step(inputs, cluster_idx, centers)
        return all_scores, cluster_idx, scores, initialized.value(), centers, init_op, training_op

    def _distances(self, inputs, centers):
        """Per input, the [batch, k] distances of each point to each centre."""
        with name_scope("distances"):
            if self._distance_metric == COSINE_DISTANCE:
                unit = l2_normalize(centers, 1)
                return [1.0 - matmul(x, unit, transpose_b=True) for x in inputs]
            center_norms = transpose(reduce_sum(square(centers), 1, keepdims=True))
            return [reduce_sum(square(x), 1, keepdims=True) - 2.0 * matmul(x, centers, transpose_b=True)
                    + center_norms for x in inputs]

    def _init_op(self, points, centers, initialized):
        """Sets the centres once (later runs keep them): k distinct random points of the batch."""
        with name_scope("initialization"):
            chosen = self._initial_centers(points)
            keep = cast(initialized, chosen.dtype)
            set_centers = assign(centers, keep * centers + (1.0 - keep) * chosen)
            with control_dependencies([set_centers]):
                return group(assign(initialized, True), name="init_op")

    def _initial_centers(self, points):
        initial = self._initial_clusters
        if callable(initial):
            initial = initial(points, self._num_clusters)
        if isinstance(initial, str):  # RANDOM_INIT
            initial = random_shuffle(points, seed=self._random_seed)[:self._num_clusters]
        initial = convert_to_tensor(initial, dtype=points.dtype)
        if self._distance_metric == COSINE_DISTANCE and not self._use_mini_batch:
            initial = l2_normalize(initial, 1)
        return initial

    def _assignment_sums(self, inputs, cluster_idx):
        """Per cluster, the sum of its points and how many there are."""
        k = self._num_clusters
        sums = add_n([unsorted_segment_sum(x, i, k) for x, i in zip(inputs, cluster_idx)])
        counts = add_n([unsorted_segment_sum(cast(ones_like(i), dtypes.int64), i, k) for i in cluster_idx])
        return sums, counts

    def _full_batch_step(self, inputs, cluster_idx, centers):
        with name_scope("full_batch_step"):
            sums, counts = self._assignment_sums(inputs, cluster_idx)
            new_centers = sums / (expand_dims(cast(counts, sums.dtype), 1) + _EPSILON)
            if self._distance_metric == COSINE_DISTANCE:
                new_centers = l2_normalize(new_centers, 1)
            return assign(centers, new_centers).op

    def _mini_batch_step(self, inputs, cluster_idx, centers, total_counts):
        """Each centre moves to the running mean of every point assigned to it so far."""
        with name_scope("mini_batch_step"):
            sums, counts = self._assignment_sums(inputs, cluster_idx)
            new_totals = total_counts + counts
            rate = 1.0 / cast(maximum(new_totals, 1), sums.dtype)
            moved = centers + (sums - expand_dims(cast(counts, sums.dtype), 1) * centers) * expand_dims(rate, 1)
            return group(assign(centers, moved), assign(total_counts, new_totals), name="train_op")
