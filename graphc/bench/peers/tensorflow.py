"""TensorFlow: TF1 graph mode through `tf.compat.v1` (the very code graphc
runs, from `graphc.bench.tf1`), and XLA through `tf.function(jit_compile=True)`
(training steps with `tf.GradientTape`)."""
import functools
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before the import: keep its start-up log off the report
import tensorflow as tf

tf.get_logger().setLevel("ERROR")  # TF1's deprecation warnings (dynamic_rnn, static_rnn) are not news

from .. import lstm, mlp, tf1, workloads
from . import Column

OPS = tf1.ops(tf)


def _xla(case, inputs):
    # autograph=False: the math has no control flow to convert, only ops to trace
    compiled = tf.function(functools.partial(case.math, OPS), jit_compile=True, autograph=False)
    tensors = {name: tf.constant(value) for name, value in inputs.items()}
    return lambda: compiled(**tensors)


def _mlp_loss(params, x, y):
    pairs = mlp.layers(params)
    h = x
    for i, (w, b) in enumerate(pairs):
        h = tf.matmul(h, w) + b
        if i < len(pairs) - 1:
            h = tf.nn.relu(h)
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=h))


def _lstm_loss(params, x):
    """The time loop unrolled when traced (a Python loop), as users of
    tf.function write a fixed-length recurrence."""
    c = h = tf.zeros([x.shape[0], lstm.HIDDEN])
    for t in range(x.shape[1]):
        i, j, f, o = tf.split(tf.matmul(tf.concat([x[:, t], h], 1), params["kernel"]) + params["bias"], 4, axis=1)
        c = tf.sigmoid(f + lstm.FORGET_BIAS) * c + tf.sigmoid(i) * tf.tanh(j)
        h = tf.sigmoid(o) * tf.tanh(c)
    return tf.reduce_mean(tf.square(h))


def _sgd_step(loss, rate):
    """A training step as TF2 users write it for XLA: `tf.GradientTape` and
    `assign_sub` on `tf.Variable`s, in one `tf.function(jit_compile=True)`."""
    def make(case, inputs):
        params = {name: tf.Variable(inputs[name], name=name) for name in case.parameters}
        data = {name: tf.constant(value) for name, value in inputs.items() if name not in params}

        @tf.function(jit_compile=True, autograph=False)
        def step(data):
            with tf.GradientTape() as tape:
                value = loss(params, **data)
            for name, grad in tape.gradient(value, params).items():
                params[name].assign_sub(rate * grad)
            return value
        run = functools.partial(step, data)
        run.state = lambda: {name: v.numpy() for name, v in params.items()}
        return run
    return make


def columns():
    version = f"tensorflow {tf.__version__}"
    return [Column("TF1 graph", "tf", version, workloads.tf1_kernels(tf.compat.v1)),
            Column("TF XLA", "tf", version, {**dict.fromkeys(workloads.ARRAY_CASES, _xla),
                                             mlp.STEP: _sgd_step(_mlp_loss, mlp.LEARNING_RATE),
                                             lstm.STEP: _sgd_step(_lstm_loss, lstm.LEARNING_RATE)})]
