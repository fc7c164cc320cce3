"""Implementations written once in TF1 style, for any module with the
`tf.compat.v1` API: graphc itself (`import graphc as tf`) and TensorFlow's
graph mode (`tensorflow.compat.v1`). The same code on both is the point: the
TF1 column measures what a graphc user would get by switching back.

Each `*_kernel(tf)` returns a maker `make(case, inputs) -> run`, as
`graphc.bench.workloads` expects."""
import collections
import types

from .mlp import LEARNING_RATE, PARAMETERS, layers

# A training step built in a session: `fetches` (loss first) run on `feeds`
# (placeholder -> value); `variables` maps parameter names to variables.
StepGraph = collections.namedtuple("StepGraph", "session fetches feeds variables")


def ops(tf):
    """The functions `Case.math` needs, in this module's spelling (TF2 has them too)."""
    return types.SimpleNamespace(tanh=tf.tanh, relu=tf.nn.relu, exp=tf.exp, softmax=tf.nn.softmax,
                                 row_max=lambda v: tf.reduce_max(v, axis=1, keepdims=True),
                                 row_sum=lambda v: tf.reduce_sum(v, axis=1, keepdims=True))


def graph_of(tf, case, inputs):
    """A session running `case.math` on one placeholder per input."""
    graph = tf.Graph()
    with graph.as_default():
        feeds = [tf.placeholder(tf.as_dtype(value.dtype), value.shape, name=name) for name, value in inputs.items()]
        fetch = case.math(ops(tf), **dict(zip(inputs, feeds)))
    return tf.Session(graph=graph), fetch, feeds


def callable_kernel(tf):
    """The fast path: `sess.make_callable(fetch, feed_list)`."""
    def make(case, inputs):
        session, fetch, feeds = graph_of(tf, case, inputs)
        run_compiled = session.make_callable(fetch, feeds)
        values = list(inputs.values())
        return lambda: run_compiled(*values)
    return make


def feed_dict_kernel(tf):
    """The common path: `sess.run(fetch, feed_dict)`."""
    def make(case, inputs):
        session, fetch, feeds = graph_of(tf, case, inputs)
        feed_dict = dict(zip(feeds, inputs.values()))
        return lambda: session.run(fetch, feed_dict)
    return make


def mlp_graph(tf, inputs):
    """W4's training step, the TF1 way: dense layers on variables initialised
    from `inputs`, softmax cross-entropy, plain SGD. Returns the session (its
    variables initialised), the fetches and the x and y placeholders."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, inputs["x"].shape[1]], name="x")
        y = tf.placeholder(tf.float32, [None, inputs["y"].shape[1]], name="y")
        variables = {name: tf.Variable(inputs[name], name=name) for name in PARAMETERS}
        pairs = layers(variables)
        h = x
        for i, (w, b) in enumerate(pairs):
            h = tf.matmul(h, w) + b
            if i < len(pairs) - 1:
                h = tf.nn.relu(h)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=h))
        train = tf.train.GradientDescentOptimizer(LEARNING_RATE).minimize(loss)
        init = tf.global_variables_initializer()
    session = tf.Session(graph=graph)
    session.run(init)
    return StepGraph(session, [loss, train], {x: inputs["x"], y: inputs["y"]}, variables)


def step_kernel(build):
    """A kernel maker running one training step per call of the `StepGraph`
    that `build(tf, values)` makes; the result is the loss before the update,
    and `run.state()` the variables' values."""
    def for_framework(tf):
        def make(case, values):
            step = build(tf, values)

            def run():
                return step.session.run(step.fetches, step.feeds)[0]
            run.state = lambda: step.session.run(step.variables)
            return run
        return make
    return for_framework


mlp_step_kernel = step_kernel(mlp_graph)

