"""Run in a fresh process by test_plan_cache.py: two training steps of a small
W4 MLP, and a graph of unknown batch size fed two batch sizes. Prints one
JSON line: every result's dtype, shape and bytes (hex), and `jit.stats`."""
import dataclasses
import json

import numpy as np
from graphc.runtime import jit

import graphc as tf
from graphc.bench import mlp, tf1


def mlp_values(rng):
    """Inputs of `mlp.inputs`' form, small: x (5, 6), y (5, 3), layers 6-8-8-3."""
    sizes = (6, 8, 8, 3)
    values = {"x": rng.random((5, sizes[0]), dtype=np.float32),
              "y": np.eye(sizes[-1], dtype=np.float32)[rng.integers(0, sizes[-1], 5)]}
    for i in range(len(sizes) - 1):
        values[f"w{i}"] = rng.standard_normal((sizes[i], sizes[i + 1]), dtype=np.float32)
        values[f"b{i}"] = np.full(sizes[i + 1], 0.01, np.float32)
    return values


def training_results(values):
    """The losses of two steps, then the variables' values."""
    step = tf1.mlp_graph(tf, values)
    losses = [step.session.run(step.fetches, step.feeds)[0] for _ in range(2)]
    return losses + step.session.run([step.variables[name] for name in mlp.PARAMETERS])


def unknown_batch_graph():
    """Several kernels over an unknown batch dim, some sharing a dims block."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        h = tf.nn.softmax(tf.tanh(x) * 2.0)
        fetches = [h, tf.reduce_sum(h * x, axis=1), tf.reduce_max(x, axis=0), tf.matmul(h, x, transpose_a=True),
                   tf.nn.log_softmax(x), tf.argmax(h, axis=1)]
    return graph, x, fetches


def unknown_batch_expected(x):
    """What `unknown_batch_graph`'s fetches are, by numpy."""
    e = np.exp(np.tanh(x) * 2)
    h = e / e.sum(axis=1, keepdims=True)
    shifted = x - x.max(axis=1, keepdims=True)
    return [h, (h * x).sum(axis=1), x.max(axis=0), h.T @ x,
            shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)), h.argmax(axis=1)]


def unknown_batch_results(batches):
    graph, x, fetches = unknown_batch_graph()
    run = tf.Session(graph=graph).make_callable(fetches, [x])
    return [value for batch in batches for value in run(batch)]


def encode(arrays):
    return [[str(a.dtype), list(a.shape), a.tobytes().hex()] for a in map(np.asarray, arrays)]


def main():
    rng = np.random.default_rng(0)
    values = mlp_values(rng)
    batches = [rng.standard_normal((n, 4)).astype(np.float32) for n in (3, 7)]
    print(json.dumps({"training": encode(training_results(values)),
                      "unknown_batch": encode(unknown_batch_results(batches)),
                      "stats": dataclasses.asdict(jit.stats)}))


if __name__ == "__main__":
    main()
