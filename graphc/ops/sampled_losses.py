"""`tf.nn.nce_loss` and `tf.nn.sampled_softmax_loss`: losses over a large
output vocabulary that look only at the true classes and a few sampled ones.

Both build TF1's `_compute_sampled_logits`: the logits of the true and the
sampled classes, corrected by the log of their expected counts under the
sampler, so that the estimate is unbiased.
"""
import numpy as np

from .. import dtypes
from ..graph import name_scope
from .array import concat, expand_dims, ones_like, reshape, zeros_like
from .building import convert_to_tensor
from .candidate_sampling import log_uniform_candidate_sampler
from .control import stop_gradient
from .losses_nn import (
    sigmoid_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits,
)
from .math import cast, equal, log, matmul, multiply, reduce_any, reduce_sum, where
from .selection import embedding_lookup

__all__ = ["nce_loss", "sampled_softmax_loss"]


def _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values,
                    remove_accidental_hits):
    """(logits [batch, num_true + num_sampled], labels of the same shape): TF1's `_compute_sampled_logits`."""
    if isinstance(weights, (list, tuple)):
        if len(weights) != 1:
            raise ValueError(f"sampled losses: weights partitioned in {len(weights)} parts are not supported")
        weights = weights[0]
    inputs = convert_to_tensor(inputs)
    labels = cast(convert_to_tensor(labels), dtypes.int64)
    labels_flat = reshape(labels, [-1])
    if sampled_values is None:
        sampled_values = log_uniform_candidate_sampler(labels, num_true, num_sampled, True, num_classes)
    sampled, true_expected, sampled_expected = (stop_gradient(v) for v in sampled_values)
    sampled = cast(sampled, dtypes.int64)
    true_w = embedding_lookup(weights, labels_flat)             # [batch * num_true, dim]
    sampled_w = embedding_lookup(weights, sampled)               # [num_sampled, dim]
    true_b, sampled_b = embedding_lookup(biases, labels_flat), embedding_lookup(biases, sampled)
    dim = inputs.shape[1] if inputs.shape.ndims == 2 and inputs.shape[1] is not None else -1
    true_logits = reduce_sum(expand_dims(inputs, 1) * reshape(true_w, [-1, num_true, dim]), 2)
    true_logits = true_logits + reshape(true_b, [-1, num_true]) - log(true_expected)
    sampled_logits = matmul(inputs, sampled_w, transpose_b=True) + sampled_b - log(sampled_expected)
    if remove_accidental_hits:  # a sampled class that is also a true class must not count as a negative
        hits = reduce_any(equal(expand_dims(labels, 2), reshape(sampled, [1, 1, -1])), 1)
        sampled_logits = where(hits, zeros_like(sampled_logits) - np.finfo(np.float32).max, sampled_logits)
    logits = concat([true_logits, sampled_logits], 1)
    targets = concat([multiply(ones_like(true_logits), 1.0 / num_true), zeros_like(sampled_logits)], 1)
    return logits, targets


def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1, sampled_values=None,
             remove_accidental_hits=False, partition_strategy="mod", name="nce_loss"):
    """Noise-contrastive estimation loss per example ([batch]): logistic
    regression telling the true classes from `num_sampled` log-uniform noise classes."""
    with name_scope(name, "nce_loss", [weights, biases, labels, inputs]):
        logits, targets = _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                                          sampled_values, remove_accidental_hits)
        return reduce_sum(sigmoid_cross_entropy_with_logits(labels=targets, logits=logits), 1)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
                         sampled_values=None, remove_accidental_hits=True, partition_strategy="mod",
                         name="sampled_softmax_loss", seed=None):
    """Softmax cross-entropy per example ([batch]) over the true and `num_sampled` sampled classes."""
    with name_scope(name, "sampled_softmax_loss", [weights, biases, labels, inputs]):
        if sampled_values is None:
            labels = convert_to_tensor(labels)
            sampled_values = log_uniform_candidate_sampler(labels, num_true, num_sampled, True, num_classes, seed)
        logits, targets = _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                                          sampled_values, remove_accidental_hits)
        return softmax_cross_entropy_with_logits(labels=targets, logits=logits)
