"""Differential fuzzing over the whole op registry.

An `Example` is one op from `tests/cases` (its attributes and the kind of
values it takes) mutated: new shapes (broadcastable ones for element-wise ops,
0-size ones for all), float64 instead of float32, IEEE special values, inputs
fed or constant, placeholder dimensions left unknown, element-wise follow-up
ops, its gradient, and a random set of passes. `check` runs it on the
reference executor with no pass (the oracle) and on both executors with the
passes drawn, and raises `Mismatch` for anything that is a bug:

- a result differing beyond tolerance, in value, dtype or shape;
- an exception that is not one of graphc's documented errors
  (`graphc.errors.OpError` when running; ValueError/TypeError when building);
- one configuration failing where the oracle does not, or the other way round.

A crash kills the process: run long fuzzing with `python -m tests.reliability.fuzz`
(see docs/reliability.md), which logs each example before running it.
"""
import dataclasses
import sys
import traceback

import numpy as np
from hypothesis import strategies as st

import graphc as tf
from graphc.errors import OpError
from graphc.op_def import ELEMENTWISE, REGISTRY
from graphc.ops.building import apply_op
from graphc.passes.manager import PASS_NAMES
from tests.cases import all_cases

CASES = all_cases()
SPECIAL_FLOATS = (np.nan, np.inf, -np.inf, 0.0, -0.0, 1e30, -1e30, 1e-40)
# A result of a chain of ops may round further from the reference than one op.
CHAIN_TOLERANCE = 2e-5
# The oracle runs no pass; stabilize and simplify change how values are computed.
PASSES_TOLERANCE = 1e-4
CONSTRUCTION_ERRORS = (ValueError, TypeError)
# Documented limitations (docs/reliability.md): the LLVM executor may raise
# these where the reference executor gives results.
KNOWN_LIMITATIONS = ("broadcasting a dimension unknown when compiled is not supported",)
# Compiled sin and cos are accurate only up to |x| = 2**24 (runtime/lower/vecmath.py):
# these ops get no huge values, and are no follow-ups (their operand is unbounded).
SMALL_ARGUMENTS_ONLY = {"Sin", "Cos"}


class Mismatch(AssertionError):
    """What the fuzzer counts as a bug."""


@dataclasses.dataclass
class Example:
    case_id: str
    op_type: str
    inputs: list            # numpy arrays
    attrs: dict
    static: tuple           # indices of inputs the case passes as constants
    fed: list               # per input: fed (True) or a constant
    unknown_dims: list      # per input: None (static shape), "rank" or a tuple of dims left None
    follow_ups: list        # (index into FOLLOW_UPS candidates, operand index)
    gradient: bool
    passes: tuple
    rtol: float
    atol: float

    def __repr__(self):
        shapes = [f"{a.dtype}{list(a.shape)}" for a in self.inputs]
        return (f"Example({self.case_id}: inputs {shapes} fed {self.fed} unknown {self.unknown_dims} attrs "
                f"{self.attrs} follow_ups {self.follow_ups} gradient {self.gradient} passes {list(self.passes)}"
                f"\n  values {[a.tolist() for a in self.inputs]})")


# -- drawing examples -----------------------------------------------------------------
def _values_like(draw, template, shape, rng, specials=SPECIAL_FLOATS):
    """Values of `template`'s dtype and range, of `shape`, some of them `specials`."""
    template = np.asarray(template)
    if template.dtype.kind == "b":
        return rng.random(shape) < 0.5
    if template.dtype == object:
        return np.full(shape, b"x", dtype=object)
    finite = template[np.isfinite(template)] if template.dtype.kind == "f" else template
    low, high = np.clip((finite.min(), finite.max()), -1e6, 1e6) if finite.size else (-3, 3)
    if template.dtype.kind in "iu":
        return rng.integers(int(low), int(high) + 1, size=shape).astype(template.dtype)
    values = rng.uniform(float(low), float(high), size=shape).astype(template.dtype)
    if values.size and draw(st.integers(0, 3)) == 0:
        flat = values.reshape(-1)
        for _ in range(draw(st.integers(1, 3))):
            flat[draw(st.integers(0, flat.size - 1))] = draw(st.sampled_from(specials))
    return values


def _broadcast_shapes(draw, count):
    """`count` shapes that broadcast together (some dims 1, some ranks shorter), dims 0..4."""
    full = draw(st.lists(st.integers(0, 4), min_size=0, max_size=3))
    shapes = []
    for _ in range(count):
        rank = draw(st.integers(0, len(full)))
        tail = full[len(full) - rank:]
        shapes.append(tuple(1 if draw(st.booleans()) and draw(st.booleans()) else d for d in tail))
    return shapes


def _resized_shapes(draw, shapes):
    """The case's shapes with every occurrence of one dimension size replaced
    (so inputs that must agree keep agreeing), or one input's dim made 0."""
    sizes = sorted({d for s in shapes for d in s})
    if not sizes or draw(st.integers(0, 2)) == 0:
        return shapes
    if draw(st.booleans()):
        old, new = draw(st.sampled_from(sizes)), draw(st.integers(0, 6))
        return [tuple(new if d == old else d for d in s) for s in shapes]
    ranked = [i for i, s in enumerate(shapes) if s]
    i = draw(st.sampled_from(ranked))
    axis = draw(st.integers(0, len(shapes[i]) - 1))
    shapes = list(shapes)
    shapes[i] = shapes[i][:axis] + (0,) + shapes[i][axis + 1:]
    return shapes


@st.composite
def examples(draw):
    case_id, op_type, case = draw(st.sampled_from(CASES))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    originals = [np.asarray(v) for v in case.inputs]
    mutable = [i for i in range(len(originals)) if i not in case.static_inputs]
    shapes = [a.shape for a in originals]
    if op_type.startswith("Fused"):  # the fusion pass's ops: their attributes fix shapes and dtypes
        pass
    elif REGISTRY[op_type].kind == ELEMENTWISE and draw(st.booleans()):
        for i, shape in zip(mutable, _broadcast_shapes(draw, len(mutable))):
            shapes[i] = shape
    else:
        changed = _resized_shapes(draw, [shapes[i] for i in mutable])
        for i, shape in zip(mutable, changed):
            shapes[i] = shape
    wide = draw(st.booleans()) and not op_type.startswith("Fused")
    inputs = []
    specials = [v for v in SPECIAL_FLOATS if op_type not in SMALL_ARGUMENTS_ONLY or abs(v) < 2 ** 24]
    for i, original in enumerate(originals):
        if i in case.static_inputs or (shapes[i] == original.shape and draw(st.booleans())):
            value = original.copy()
        else:
            value = _values_like(draw, original, shapes[i], rng, specials)
        if wide and value.dtype == np.float32:
            value = value.astype(np.float64)
        inputs.append(value)
    fed = [i not in case.static_inputs and draw(st.integers(0, 3)) > 0 for i in range(len(inputs))]
    unknown = [_unknown_dims(draw, a) if f else None for a, f in zip(inputs, fed)]
    follow_ups = draw(st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 10 ** 6)), max_size=3))
    passes = tuple(sorted(draw(st.sets(st.sampled_from(PASS_NAMES))), key=PASS_NAMES.index))
    return Example(case_id, op_type, inputs, dict(case.attrs), tuple(case.static_inputs), fed, unknown, follow_ups,
                   draw(st.integers(0, 3)) == 0, passes, case.rtol, case.atol)


def _unknown_dims(draw, array):
    choice = draw(st.integers(0, 3))
    if choice == 0 and array.ndim:
        return tuple(sorted(draw(st.sets(st.integers(0, array.ndim - 1), min_size=1))))
    return "rank" if choice == 1 else None


# -- building and running -------------------------------------------------------------
def _follow_up_candidates():
    """Element-wise ops applicable to one tensor: (op_type, attrs, arity, input dtype) from their cases."""
    found = []
    for _, op_type, case in CASES:
        if (REGISTRY[op_type].kind == ELEMENTWISE and op_type != "FusedElementwise" and not case.static_inputs
                and op_type not in SMALL_ARGUMENTS_ONLY):
            dtypes_ = {np.asarray(v).dtype for v in case.inputs}
            if len(dtypes_) == 1:
                found.append((op_type, dict(case.attrs), len(case.inputs), dtypes_.pop()))
    return found


FOLLOW_UPS = _follow_up_candidates()


def build(example):
    """(fetches, feed_dict) of the example in the default graph; construction
    errors (ValueError, TypeError) pass through."""
    tensors, feeds = [], {}
    for value, fed, unknown in zip(example.inputs, example.fed, example.unknown_dims):
        if not fed:
            tensors.append(tf.constant(value))
            continue
        shape = None if unknown == "rank" else [None if unknown and i in unknown else d
                                               for i, d in enumerate(value.shape)]
        placeholder = tf.placeholder(tf.as_dtype(value.dtype), shape)
        feeds[placeholder] = value
        tensors.append(placeholder)
    out = apply_op(example.op_type, tensors, **example.attrs)
    outputs = [t for t in (list(out) if isinstance(out, tuple) else [out]) if hasattr(t, "dtype")]
    fetches = list(outputs)
    for choice, operand in example.follow_ups:
        fetches.append(_follow_up(choice, fetches[operand % len(fetches)]))
    if example.gradient and REGISTRY[example.op_type].differentiable:
        fetches += _gradients(fetches, [t for t in feeds if t.dtype.is_floating])
    return fetches, feeds


def _follow_up(choice, tensor):
    candidates = [c for c in FOLLOW_UPS if c[3] == tensor.dtype.np] or [("Identity", {}, 1, None)]
    op_type, attrs, arity, _ = candidates[choice % len(candidates)]
    return apply_op(op_type, [tensor] * arity, **attrs)


def _gradients(fetches, xs):
    carrying = [t for t in fetches if t.dtype.is_floating]
    if not carrying or not xs:
        return []
    loss = tf.add_n([tf.reduce_sum(tf.cast(t, tf.float64)) * (0.5 + i) for i, t in enumerate(carrying)])
    return [g for g in tf.gradients(loss, xs) if g is not None]


def _outcome(executor, passes, fetches, feeds):
    """The results, or the exception, of one configuration."""
    try:
        return tf.Session(executor=executor, passes=list(passes)).run(fetches, feeds)
    except Exception as error:  # noqa: BLE001 - classified by the caller
        return error


def check(example):
    """Raise Mismatch if the example shows a bug; False if it cannot be built."""
    with tf.Graph().as_default():
        try:
            fetches, feeds = build(example)
        except CONSTRUCTION_ERRORS:
            return False
        except Exception as error:
            raise Mismatch(f"building raised {_name(error)} (not a documented construction error)") from error
        oracle = _outcome("reference", (), fetches, feeds)
        if isinstance(oracle, Exception) and not isinstance(oracle, OpError):
            raise Mismatch(f"the reference executor raised {_name(oracle)}") from oracle
        reference = _outcome("reference", example.passes, fetches, feeds)
        llvm = _outcome("llvm", example.passes, fetches, feeds)
        _compare("reference with the passes", oracle, reference, fetches, PASSES_TOLERANCE, True)
        _compare("llvm with the passes", reference, llvm, fetches, _tolerance(example), False)
    return True


def _tolerance(example):
    chained = example.follow_ups or example.gradient
    return max(example.rtol, example.atol, CHAIN_TOLERANCE if chained else 2e-6)


def _compare(what, want, got, fetches, tolerance, finite_only):
    if isinstance(got, Exception) and not isinstance(got, OpError):
        raise Mismatch(f"{what}: raised {_name(got)}") from got
    if isinstance(got, OpError) and not isinstance(want, Exception) and any(k in str(got) for k in KNOWN_LIMITATIONS):
        return
    if isinstance(want, Exception) or isinstance(got, Exception):
        if type(want) is not type(got):
            raise Mismatch(f"{what}: {_describe(got)} where the oracle gave {_describe(want)}") \
                from (got if isinstance(got, Exception) else None)
        return
    for tensor, w, g in zip(fetches, want, got):
        _compare_values(f"{what}: {tensor.name}", np.asarray(w), np.asarray(g), tolerance, finite_only)


def _compare_values(what, want, got, tolerance, finite_only):
    if got.shape != want.shape or got.dtype != want.dtype:
        raise Mismatch(f"{what}: {got.dtype}{list(got.shape)}, the oracle gave {want.dtype}{list(want.shape)}")
    if want.dtype.kind not in "fc":
        if not np.array_equal(got, want):
            raise Mismatch(f"{what}: {got.tolist()} != {want.tolist()}")
        return
    if finite_only:  # the passes may compute a finite value where the naive formula overflows
        keep = np.isfinite(want)
        want, got = want[keep], got[keep]
    scale = np.max(np.abs(want[np.isfinite(want)]), initial=1.0)
    try:
        np.testing.assert_allclose(got, want, rtol=tolerance, atol=tolerance * scale, equal_nan=True)
    except AssertionError as error:
        raise Mismatch(f"{what}: {error}") from None


def _name(error):
    return f"{type(error).__name__}: {str(error)[:300]}"


def _describe(outcome):
    return _name(outcome) if isinstance(outcome, Exception) else "results"


# -- long runs ------------------------------------------------------------------------
def main(argv):
    """`python -m tests.reliability.fuzz N LOG`: N examples (random seed), each
    logged before it runs (so a crash leaves its example last in LOG), every
    bug appended to LOG; returns the number of bugs."""
    from hypothesis import HealthCheck, given, settings
    count, log_path = int(argv[0]), argv[1]
    bugs = []
    log = open(log_path, "a", buffering=1)

    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(examples())
    def run(example):
        log.write(f"RUN {example!r}\n")
        try:
            check(example)
        except Mismatch as bug:
            cause = "".join(traceback.format_exception(bug.__cause__)) if bug.__cause__ else ""
            log.write(f"BUG {bug}\n{cause}\n")
            bugs.append(str(bug))

    run()
    log.write(f"DONE {count} examples, {len(bugs)} bugs\n")
    return len(bugs)


if __name__ == "__main__":
    sys.exit(min(main(sys.argv[1:]), 1))
