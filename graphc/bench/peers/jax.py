"""JAX: `jax.jit` of the case's math on device arrays; a training step as
`value_and_grad` plus the optimizer's update, jitted whole (the LSTM's time
loop as `lax.scan`)."""
import functools
import types

import jax
import jax.numpy as jnp

import numpy as np

from .. import cnn, lstm, mlp, workloads
from . import Column

OPS = types.SimpleNamespace(tanh=jnp.tanh, relu=jax.nn.relu, exp=jnp.exp, softmax=jax.nn.softmax,
                            row_max=lambda v: jnp.max(v, axis=1, keepdims=True),
                            row_sum=lambda v: jnp.sum(v, axis=1, keepdims=True))


def _jit(case, inputs):
    compiled = jax.jit(functools.partial(case.math, OPS))
    arrays = {name: jax.device_put(value) for name, value in inputs.items()}
    return lambda: compiled(**arrays).block_until_ready()


def _jit_from_numpy(case, inputs):
    """Per-call overhead as users meet it: numpy values in, each call."""
    compiled = jax.jit(functools.partial(case.math, OPS))
    return lambda: compiled(**inputs).block_until_ready()


def _mlp_loss(params, x, y):
    pairs = mlp.layers(params)
    h = x
    for i, (w, b) in enumerate(pairs):
        h = h @ w + b
        if i < len(pairs) - 1:
            h = jax.nn.relu(h)
    return -jnp.mean(jnp.sum(y * jax.nn.log_softmax(h), axis=1))


def _lstm_loss(params, x):
    kernel, bias = params["kernel"], params["bias"]

    def cell(state, x_t):
        c, h = state
        i, j, f, o = jnp.split(jnp.concatenate([x_t, h], axis=1) @ kernel + bias, 4, axis=1)
        c = jax.nn.sigmoid(f + lstm.FORGET_BIAS) * c + jax.nn.sigmoid(i) * jnp.tanh(j)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (c, h), None
    zeros = jnp.zeros((x.shape[0], lstm.HIDDEN), x.dtype)
    (_, h), _ = jax.lax.scan(cell, (zeros, zeros), jnp.swapaxes(x, 0, 1))
    return jnp.mean(h * h)


def _cnn_loss(params, x, y):
    def conv_relu_pool(h, w, b):
        h = jax.nn.relu(jax.lax.conv_general_dilated(h, w, (1, 1), "SAME",
                                                     dimension_numbers=("NHWC", "HWIO", "NHWC")) + b)
        return jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "SAME")
    h = conv_relu_pool(x, params["w1"], params["b1"])
    h = conv_relu_pool(h, params["w2"], params["b2"])
    h = jax.nn.relu(h.reshape(h.shape[0], -1) @ params["w3"] + params["b3"])
    logits = h @ params["w4"] + params["b4"]
    return -jnp.mean(jnp.sum(y * jax.nn.log_softmax(logits), axis=1))


def _sgd(rate):
    return (lambda params: None,
            lambda params, grads, state: (jax.tree.map(lambda p, g: p - rate * g, params, grads), state))


def _adam(rate, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """TF1's AdamOptimizer update (there is no optax here)."""
    def init(params):
        zeros = jax.tree.map(jnp.zeros_like, params)
        return zeros, zeros, jnp.float32(0)

    def update(params, grads, state):
        m, v, t = state
        t = t + 1
        m = jax.tree.map(lambda m, g: beta1 * m + (1 - beta1) * g, m, grads)
        v = jax.tree.map(lambda v, g: beta2 * v + (1 - beta2) * g * g, v, grads)
        step = rate * jnp.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
        params = jax.tree.map(lambda p, m, v: p - step * m / (jnp.sqrt(v) + epsilon), params, m, v)
        return params, (m, v, t)
    return init, update


def _train_step(loss, optimizer):
    """A training step as JAX users write it: `value_and_grad` of the loss
    and the optimizer's update, jitted whole, parameters as a dict."""
    init, update = optimizer

    @jax.jit
    def step(params, state, data):
        value, grads = jax.value_and_grad(loss)(params, **data)
        params, state = update(params, grads, state)
        return params, state, value

    def make(case, inputs):
        params = {name: jnp.asarray(inputs[name]) for name in case.parameters}
        data = {name: jnp.asarray(value) for name, value in inputs.items() if name not in params}
        current = {"params": params, "state": init(params)}

        def run():
            current["params"], current["state"], value = step(current["params"], current["state"], data)
            return value.block_until_ready()
        run.state = lambda: {name: np.asarray(value) for name, value in current["params"].items()}
        return run
    return make


def columns():
    kernels = {**dict.fromkeys(workloads.ARRAY_CASES, _jit),
               **dict.fromkeys(["W7 run"], _jit_from_numpy),
               mlp.STEP: _train_step(_mlp_loss, _sgd(mlp.LEARNING_RATE)),
               "W5 step": _train_step(_cnn_loss, _adam(cnn.LEARNING_RATE)),
               lstm.STEP: _train_step(_lstm_loss, _sgd(lstm.LEARNING_RATE))}
    return [Column("JAX jit", "jax", f"jax {jax.__version__}", kernels)]
