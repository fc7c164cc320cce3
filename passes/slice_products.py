"""A slice of a matrix product is the product of a slice: `(a @ b)[:, i:j]` is
`a @ b[:, i:j]` (and rows slice a), so the GEMM computes only what is kept.

Backpropagation through `matmul(concat([x_t, h]), kernel)` computes the whole
gradient of [x_t, h] and keeps h's part: in W6 a third of each step's
dz @ kernel^T was thrown away. The operand's slice is made once per operand
and range (the 32 steps share one slice of the kernel), and only for a product
nothing else uses.
"""
from graphc.ops.math import matmul

from .patterns import apply_table, producer, use_counts

_FULL = ("slice", None, None, 1)


def slice_products(program):
    used = use_counts(program)
    slices = {}  # (operand, axis, entry) -> its slice, made once

    def narrow(op, inputs):
        product = producer(inputs[0], "MatMul")
        spec = _unit_step_slices(op.attrs["spec"])
        if product is None or spec is None or used.get(op.inputs[0]) != 1 or inputs[0].shape.ndims != 2:
            return None
        a, b = product.inputs
        transpose_a, transpose_b = product.attrs["transpose_a"], product.attrs["transpose_b"]
        a = _sliced(slices, a, 1 if transpose_a else 0, spec[0])
        b = _sliced(slices, b, 0 if transpose_b else 1, spec[1])
        return [matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)]
    return apply_table(program, {"StridedSlice": (narrow,)}, "slice_products")


def _unit_step_slices(spec):
    """The spec's two entries if it slices a matrix with steps of 1 only, and not
    all of it; else None."""
    spec = tuple(spec) + (_FULL,) * (2 - len(spec))
    if len(spec) != 2 or any(e[0] != "slice" or e[3] != 1 for e in spec) or spec == (_FULL, _FULL):
        return None
    return spec


def _sliced(slices, operand, axis, entry):
    if entry == _FULL:
        return operand
    key = (operand, axis, entry)
    if key not in slices:
        index = [slice(None)] * 2
        index[axis] = slice(*entry[1:])
        slices[key] = operand[tuple(index)]
    return slices[key]
