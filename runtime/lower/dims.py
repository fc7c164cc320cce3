"""Each kernel reads the dims unknown at compile time from a block of the dims
table of its own: slot 0 the thread count, then the dims it uses, in the order
it first used them. Kernels of identical steps (an unrolled RNN's time steps)
are then identical IR, and the module compiles one of them.

`kernel_block(plan, step)` is the emission of one step's kernel; `slot(symbol)`
the slot in that kernel's block of a plan symbol (an index of `plan.symbols`)
or of a known dim `("const", value)`.
"""
import contextlib
import threading

_emitting = threading.local()


@contextlib.contextmanager
def kernel_block(plan, step):
    """Emit `step`'s kernel inside; then `step.dims_block` is its block's offset."""
    stack = _emitting.__dict__.setdefault("stack", [])
    stack.append([])
    try:
        yield
    finally:
        symbols = stack.pop()
    step.dims_block = plan.dims_block(symbols)


def slot(symbol):
    symbols = _emitting.stack[-1]
    if symbol not in symbols:
        symbols.append(symbol)
    return 1 + symbols.index(symbol)
