"""TensorFlow: TF1 graph mode through `tf.compat.v1` (the very code graphc
runs, from `graphc.bench.tf1`), and XLA through `tf.function(jit_compile=True)`
(training steps with `tf.GradientTape`; W5's Adam written out as JAX's)."""
import functools
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before the import: keep its start-up log off the report
import tensorflow as tf

tf.get_logger().setLevel("ERROR")  # TF1's deprecation warnings (dynamic_rnn, static_rnn) are not news

from .. import cnn, lstm, mlp, tf1, workloads
from . import Column

OPS = tf1.ops(tf)


def _xla_function(case):
    # autograph=False: the math has no control flow to convert, only ops to trace
    return tf.function(functools.partial(case.math, OPS), jit_compile=True, autograph=False)


def _xla(case, inputs):
    compiled = _xla_function(case)
    tensors = {name: tf.constant(value) for name, value in inputs.items()}
    return lambda: compiled(**tensors)


def _xla_from_numpy(case, inputs):
    """Per-call overhead as users meet it: numpy values in, each call."""
    compiled = _xla_function(case)
    return lambda: compiled(**inputs)


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


def _cnn_loss(params, x, y):
    def conv_relu_pool(h, w, b):
        h = tf.nn.relu(tf.nn.conv2d(h, w, strides=1, padding="SAME") + b)
        return tf.nn.max_pool2d(h, ksize=2, strides=2, padding="SAME")
    h = conv_relu_pool(x, params["w1"], params["b1"])
    h = conv_relu_pool(h, params["w2"], params["b2"])
    h = tf.nn.relu(tf.matmul(tf.reshape(h, [x.shape[0], -1]), params["w3"]) + params["b3"])
    logits = tf.matmul(h, params["w4"]) + params["b4"]
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))


def _sgd(rate):
    def optimizer(params):
        def apply(grads):
            for name, grad in grads.items():
                params[name].assign_sub(rate * grad)
        return apply
    return optimizer


def _adam(rate, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """TF1's AdamOptimizer update on slot variables, written out (TF 2.21's
    optimizers are Keras', a separate library)."""
    def optimizer(params):
        m = {name: tf.Variable(tf.zeros_like(p), name=f"{name}/m") for name, p in params.items()}
        v = {name: tf.Variable(tf.zeros_like(p), name=f"{name}/v") for name, p in params.items()}
        t = tf.Variable(0.0, name="t")

        def apply(grads):
            t.assign_add(1.0)
            step = rate * tf.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
            for name, grad in grads.items():
                m_t = m[name].assign(beta1 * m[name] + (1 - beta1) * grad)
                v_t = v[name].assign(beta2 * v[name] + (1 - beta2) * grad * grad)
                params[name].assign_sub(step * m_t / (tf.sqrt(v_t) + epsilon))
        return apply
    return optimizer


def _train_step(loss, optimizer):
    """A training step as TF2 users write it for XLA: `tf.GradientTape` and
    the optimizer's `assign`s on `tf.Variable`s, in one
    `tf.function(jit_compile=True)`."""
    def make(case, inputs):
        params = {name: tf.Variable(inputs[name], name=name) for name in case.parameters}
        data = {name: tf.constant(value) for name, value in inputs.items() if name not in params}
        apply = optimizer(params)

        @tf.function(jit_compile=True, autograph=False)
        def step(data):
            with tf.GradientTape() as tape:
                value = loss(params, **data)
            apply(tape.gradient(value, params))
            return value
        run = functools.partial(step, data)
        run.state = lambda: {name: v.numpy() for name, v in params.items()}
        return run
    return make


def columns():
    version = f"tensorflow {tf.__version__}"
    return [Column("TF1 graph", "tf", version, workloads.tf1_kernels(tf.compat.v1)),
            Column("TF XLA", "tf", version, {**dict.fromkeys(workloads.ARRAY_CASES, _xla), "W7 run": _xla_from_numpy,
                                             mlp.STEP: _train_step(_mlp_loss, _sgd(mlp.LEARNING_RATE)),
                                             "W5 step": _train_step(_cnn_loss, _adam(cnn.LEARNING_RATE)),
                                             lstm.STEP: _train_step(_lstm_loss, _sgd(lstm.LEARNING_RATE))})]
