"""Cases for graphc/ops/control_flow.py: If, While (plain, bounded and recording) and SetRow.
The functions are traced here with explicit arguments (no captures), in float64 (as the
gradient checks run them)."""
import numpy as np

import graphc as tf
from graphc.func_graph import make_function, trace

from . import Case, add, random_array

rng = np.random.default_rng(11)


def _function(fn, specs, name):
    graph, args, _, outputs = trace(lambda *a: fn(*a), specs, name)
    return make_function(graph, args, outputs, [])


with tf.Graph().as_default():
    _X = (tf.float64, [3, 4])
    _THEN = _function(lambda x: x * 2.0, [_X], "then")
    _ELSE = _function(lambda x: tf.sin(x) + x, [_X], "else")
    _LOOP = [(tf.int32, []), (tf.float64, [3])]
    _COND = _function(lambda i, x: i < 5, _LOOP, "cond")
    _BODY = _function(lambda i, x: [i + 1, x * 0.5 + tf.sin(x)], _LOOP, "body")


def _loop(i, x, steps=5):
    history = []
    while i < steps:
        history.append((i, x))
        i, x = i + 1, x * 0.5 + np.sin(x)
    return i, x, history


_WHILE = {"cond": _COND, "body": _BODY, "n_vars": 2, "bounded": False, "shape_invariants": (None, None), "record": ()}
_X0 = random_array(rng, (3,), np.float64)

add("If",
    Case([np.array(True), random_array(rng, (3, 4), np.float64)], {"then_branch": _THEN, "else_branch": _ELSE},
         expected=lambda p, x: x * 2, label="then"),
    Case([np.array(False), random_array(rng, (3, 4), np.float64)], {"then_branch": _THEN, "else_branch": _ELSE},
         expected=lambda p, x: np.sin(x) + x, label="else", rtol=1e-5))
add("While",
    Case([np.int32(0), _X0], _WHILE, expected=lambda i, x: _loop(i, x)[:2], label="loop", rtol=1e-5),
    Case([np.int32(3), np.int32(0), _X0], dict(_WHILE, bounded=True), expected=lambda n, i, x: _loop(i, x, 3)[:2],
         label="bounded", rtol=1e-5),
    Case([np.int32(8), np.int32(1), _X0], dict(_WHILE, bounded=True, record=(1,)),
         expected=lambda n, i, x: [*_loop(i, x)[:2], np.int32(4),
                                   np.concatenate([np.stack([h[1] for h in _loop(i, x)[2]]), np.zeros((4, 3))])],
         label="recording", rtol=1e-5))
add("SetRow",
    Case([random_array(rng, (4, 3)), np.int32(2), random_array(rng, (3,))],
         expected=lambda s, i, v: np.concatenate([s[:2], v[None], s[3:]]), label="f32"),
    Case([random_array(rng, (2, 2), np.int32), np.int32(0), random_array(rng, (2,), np.int32)],
         expected=lambda s, i, v: np.concatenate([v[None], s[1:]]), label="int"))
