"""Sums of matrix products become one product of joined operands:
a_1 @ b_1 + ... + a_T @ b_T = [a_1 ... a_T] @ [b_1; ...; b_T], the a's joined
along their columns and the b's along their rows (whichever way each is
transposed).

Backpropagation through an unrolled RNN sums one weight gradient per time step
(`add_n`: a chain of Adds). In W6 that is 32 products of 384×64 by 64×1024,
each written to a buffer of its own (48 MB in all) and read back by the sum;
joined, one 384×2048 by 2048×1024 GEMM writes its result once, with the deep
inner dimension GEMMs run fastest on, for the price of copying the operands
(11 MB).

A product joins only when nothing but the sum uses it, it is a rank-2 MatMul
with the same transposes as the others, and copying its operands costs less
than writing and reading its result: its operands hold no more elements than
its result, a dim unknown when compiling counting as 1 (it is the batch, small
next to the weights; so `x @ W1 + h @ W2` in a cell keeps its two products
rather than copying W1 and W2 on every step). The sum is then rounded in
another order, as a GEMM rounds its own inner sums.
"""
import numpy as np

from graphc.ops.array import concat
from graphc.ops.math import matmul

from .patterns import apply_table, producer, use_counts


def join_summed_products(program):
    used = use_counts(program)
    joined = set()

    def join(op, inputs):
        if not all(used.get(t) == 1 for t in op.inputs) or not op.outputs[0].shape.is_fully_defined():
            return None
        terms = [_terms(t, joined, op.outputs[0].shape) for t in inputs]
        if None in terms or terms[0][0] != terms[1][0]:
            return None
        (transpose_a, transpose_b), pairs = terms[0][0], terms[0][1] + terms[1][1]
        a = concat([a for a, _ in pairs], 0 if transpose_a else 1)
        b = concat([b for _, b in pairs], 1 if transpose_b else 0)
        product = matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
        joined.add(product.op)
        return [product]
    return apply_table(program, {"Add": (join,)}, "join_summed_products")


def _terms(tensor, joined, shape):
    """((transpose_a, transpose_b), [(a, b), ...]): the products `tensor` sums, if
    it is a MatMul worth joining or one this pass joined already, else None."""
    op = producer(tensor, "MatMul")
    if op is None or tensor.shape != shape or any(t.shape.ndims != 2 for t in op.inputs):
        return None
    flags = (op.attrs["transpose_a"], op.attrs["transpose_b"])
    if op in joined:
        a_parts, b_parts = (producer(t, "ConcatV2").inputs for t in op.inputs)
        return flags, list(zip(a_parts, b_parts))
    a, b = op.inputs
    return (flags, [(a, b)]) if _elements(a.shape) + _elements(b.shape) <= _elements(shape) else None


def _elements(shape):
    return int(np.prod([1 if d is None else d for d in shape.dims]))
