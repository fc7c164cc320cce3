"""Composite expansion: each composite op (Softmax, Sigmoid, Square, ...)
becomes the primitives its OpDef's `decompose` builds, until none is left.
Only primitives are lowered to machine code.

A decomposition that needs static facts the program lacks (a Squeeze without
axis of a tensor of unknown sizes) raises ValueError or TypeError; that op is
kept whole, runs by its reference kernel, and the LLVM executor falls back."""
from .program import rewrite

# Decompositions may use other composites; this bounds the nesting.
_MAX_ROUNDS = 8


def expand_composites(program):
    kept = set()

    def expand(op, inputs):
        try:
            result = op.op_def.decompose(*inputs, **op.attrs)
        except (ValueError, TypeError):
            kept.add(op.name)
            return None
        return list(result) if isinstance(result, (tuple, list)) else [result]

    for _ in range(_MAX_ROUNDS):
        composites = {op.type for op in program.ops() if op.op_def.is_composite and op.name not in kept}
        if not composites:
            return program
        program = rewrite(program, {t: expand for t in composites})
    remaining = sorted({op.type for op in program.ops() if op.op_def.is_composite and op.name not in kept})
    raise RuntimeError(f"composite ops still present after {_MAX_ROUNDS} expansion rounds: {remaining}")
