"""Cases for graphc/ops/fused.py: fused bodies given directly."""
import numpy as np

from graphc import dtypes
from graphc.shapes import TensorShape
from . import Case, add, random_array

rng = np.random.default_rng(5)
F32 = dtypes.float32
# (x * y + 2) and tanh of it: two outputs, a broadcast input and an inlined constant.
_NODES = (("Mul", (), (("input", 0), ("input", 1)), F32),
          ("Add", (), (("node", 0), ("const", np.float32(2.0))), F32),
          ("Tanh", (), (("node", 1),), F32))
add("FusedElementwise", Case(
    [random_array(rng, (4, 5)), random_array(rng, (5,))],
    {"nodes": _NODES, "outputs": (1, 2), "dtypes": (F32, F32), "shape": TensorShape([4, 5]),
     "covers": (("m", "Mul", ()), ("a", "Add", ()), ("t", "Tanh", ()))},
    expected=lambda x, y: (x * y + 2, np.tanh(x * y + 2)), label="two-outputs", rtol=2e-6))

# max(a @ b + bias, 0): the product is input 0 of the body.
_DENSE = (("Add", (), (("input", 0), ("input", 1)), F32),
          ("Maximum", (), (("node", 0), ("const", np.float32(0.0))), F32))
for _label, (_ta, _tb) in {"plain": (False, False), "transposed": (True, True)}.items():
    _a = random_array(rng, (5, 4)) if _ta else random_array(rng, (4, 5))
    _b = random_array(rng, (3, 5)) if _tb else random_array(rng, (5, 3))
    add("FusedMatMul", Case(
        [_a, _b, random_array(rng, (3,))],
        {"transpose_a": _ta, "transpose_b": _tb, "nodes": _DENSE, "outputs": (1,), "dtypes": (F32,),
         "shape": TensorShape([4, 3]), "covers": (("mm", "MatMul", ()), ("add", "Add", ()), ("relu", "Maximum", ()))},
        expected=lambda a, b, bias, ta=_ta, tb=_tb: np.maximum((a.T if ta else a) @ (b.T if tb else b) + bias, 0),
        label=_label, rtol=1e-5))

# Softmax rows and their maxima: reductions with element-wise ops before, between and after them.
_SOFTMAX = (("Max", (("axis", (1,)), ("keepdims", True)), (("input", 0),), F32),
            ("Sub", (), (("input", 0), ("node", 0)), F32),
            ("Exp", (), (("node", 1),), F32),
            ("Sum", (("axis", (1,)), ("keepdims", True)), (("node", 2),), F32),
            ("RealDiv", (), (("node", 2), ("node", 3)), F32),
            ("Mul", (), (("node", 4), ("input", 1)), F32))
add("FusedReduction", Case(
    [random_array(rng, (6, 7)), random_array(rng, (7,))],
    {"nodes": _SOFTMAX, "outputs": (5, 0), "dtypes": (F32, F32), "shape": TensorShape([6, 7]), "row_rank": 1,
     "frame_input": 0, "spaces": ("row", "full", "full", "row", "full", "full"), "roles": ("full", "column"),
     "kinds": ("full", "row_keep"), "covers": tuple((f"n{i}", n[0], ()) for i, n in enumerate(_SOFTMAX))},
    expected=lambda x, w: ((np.exp(x - x.max(1, keepdims=True)) / np.exp(x - x.max(1, keepdims=True)).sum(1, keepdims=True)) * w,
                           x.max(1, keepdims=True)),
    label="softmax-times-column", rtol=2e-6))
