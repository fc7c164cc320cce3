"""Candidate sampling: `tf.nn.log_uniform_candidate_sampler`, the sampler
behind `nce_loss` and `sampled_softmax_loss`.

Classes follow Zipf's law: P(c) = log((c + 2) / (c + 1)) / log(range_max + 1),
so frequent words (small ids) are drawn more often. The op
`LogUniformCandidateSampler` draws the classes from the op's seeded stream
(`graphc.random_stream`: a pure function of its seeds and run number) and
also gives the number of draws it took; unlike TF's op it has no inputs, so
the LLVM executor draws it on the host before the compiled step
(runtime/host_inputs.py). The expected counts TF's op returns are graph ops
on top (TF's formula: p * num_sampled, or 1 - (1 - p)^num_tries when sampling
without repeats needed extra draws).
"""
import numpy as np

from .. import dtypes, random_stream, shapes
from ..graph import name_scope
from ..op_def import OpDef, register
from .array import fill, shape
from .building import apply_op, convert_to_tensor
from .math import cast, equal, expm1, log1p, multiply, reciprocal, where
from .random import _op_seeds

__all__ = ["log_uniform_candidate_sampler"]


def _sampler_rule(num_sampled, unique, range_max, seed, seed2):
    return [(dtypes.int64, shapes.TensorShape([num_sampled])), (dtypes.int64, shapes.scalar())]


def _sampler_kernel(ctx, num_sampled, unique, range_max, seed, seed2):
    """The first `num_sampled` draws (distinct ones when `unique`) and how many draws that took."""
    run = ctx.run_number()
    draws = max(2 * num_sampled, 16)
    while True:  # the stream's prefix does not depend on its length: draw more until enough are distinct
        u = random_stream.uniform((seed, seed2), run, (draws,), np.float64)
        values = (np.exp(u * np.log1p(range_max)).astype(np.int64) - 1) % range_max
        if not unique:
            return values[:num_sampled], np.int64(num_sampled)
        first = np.sort(np.unique(values, return_index=True)[1])
        if len(first) >= num_sampled:
            return values[first[:num_sampled]], np.int64(first[num_sampled - 1] + 1)
        draws *= 2


register(OpDef("LogUniformCandidateSampler", _sampler_rule, _sampler_kernel, stateful=True, differentiable=False))


def _log_uniform_probability(classes, range_max):
    """P(c) of the log-uniform distribution, as float32 ops (log1p keeps it exact for large c)."""
    c = cast(classes, dtypes.float32)
    return log1p(reciprocal(c + 1.0)) / float(np.log1p(range_max))


def _expected_count(probability, num_sampled, num_tries):
    """TF's ExpectedCountHelper: p * num_sampled when no draw was repeated, else 1 - (1 - p)^num_tries."""
    tries = cast(num_tries, dtypes.float32)
    repeated = -expm1(tries * log1p(-probability))
    exact = fill(shape(probability), equal(num_tries, num_sampled))
    return where(exact, multiply(probability, float(num_sampled)), repeated)


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None):
    """TF1 `tf.nn.log_uniform_candidate_sampler`: (sampled_candidates [num_sampled] int64,
    true_expected_count [batch, num_true], sampled_expected_count [num_sampled])."""
    num_sampled, range_max = int(num_sampled), int(range_max)
    if range_max < 1 or num_sampled < 1:
        raise ValueError(f"log_uniform_candidate_sampler: num_sampled ({num_sampled}) and range_max "
                         f"({range_max}) must be positive")
    if unique and num_sampled > range_max:
        raise ValueError(f"log_uniform_candidate_sampler: cannot draw {num_sampled} distinct classes out of "
                         f"range_max={range_max}")
    with name_scope(name, "LogUniformCandidateSampler", [true_classes]):
        true_classes = convert_to_tensor(true_classes)
        sampled, num_tries = apply_op("LogUniformCandidateSampler", [], name="sampler", num_sampled=num_sampled,
                                      unique=bool(unique), range_max=range_max, **_op_seeds(seed))
        true_expected = _expected_count(_log_uniform_probability(true_classes, range_max), num_sampled, num_tries)
        sampled_expected = _expected_count(_log_uniform_probability(sampled, range_max), num_sampled, num_tries)
        return sampled, true_expected, sampled_expected
