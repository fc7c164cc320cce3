"""W4's model, defined once for every implementation: an MLP 784-512-512-10
with ReLU, softmax cross-entropy and SGD 0.1 on a batch of 256 (W8 times its
first step). Initial values come from numpy, so every framework starts from
the same weights, and a training step is checked against `numpy_step` on
those weights (loss and update)."""
import itertools

import numpy as np

SIZES = (784, 512, 512, 10)
BATCH = 256
LEARNING_RATE = 0.1
STEP = "W4 step"  # the kernel key of one training step, in every column that has one
PARAMETERS = tuple(f"{kind}{i}" for i in range(len(SIZES) - 1) for kind in "wb")


def inputs(rng, batch):
    """x, one-hot labels y, and w<i>, b<i> for each layer (He-initialised weights)."""
    values = {"x": rng.random((batch, SIZES[0]), dtype=np.float32),
              "y": np.eye(SIZES[-1], dtype=np.float32)[rng.integers(0, SIZES[-1], batch)]}
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(SIZES)):
        values[f"w{i}"] = (rng.standard_normal((fan_in, fan_out), dtype=np.float32) * np.sqrt(2 / fan_in)).astype(np.float32)
        values[f"b{i}"] = np.full(fan_out, 0.01, np.float32)
    return values


def layers(values):
    """The (weights, bias) pairs of `inputs(...)`, input layer first."""
    return [(values[f"w{i}"], values[f"b{i}"]) for i in range(len(SIZES) - 1)]


def first_loss(**values):
    """The loss a training step reports first (before its update), in numpy."""
    h = values["x"]
    pairs = layers(values)
    for i, (w, b) in enumerate(pairs):
        h = h @ w + b
        if i < len(pairs) - 1:
            h = np.maximum(h, 0)
    shifted = h - h.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return np.float32(-(values["y"] * log_softmax).sum(axis=1).mean())


def numpy_step(params, x, y):
    """One training step by hand (forward, backward, SGD), updating `params`
    in place; returns the loss before the update."""
    pairs = layers(params)
    activations = [x]
    for w, b in pairs:
        activations.append(np.maximum(activations[-1] @ w + b, 0) if len(activations) < len(pairs)
                           else activations[-1] @ w + b)
    logits = activations.pop()
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    loss = -(y * (shifted - np.log(total))).sum(axis=1).mean()
    dz = (exp / total - y) / np.float32(len(x))
    for (w, b), h in zip(reversed(pairs), reversed(activations)):
        dh = dz @ w.T if h is not x else None
        w -= np.float32(LEARNING_RATE) * (h.T @ dz)
        b -= np.float32(LEARNING_RATE) * dz.sum(axis=0)
        if dh is not None:
            dz = dh * (h > 0)
    return loss
