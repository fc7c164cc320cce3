"""The workloads of `graphc bench` (shared BENCHMARKS.md), one `Case` per
table row. A workload is one or more entries in `CASES`; a peer that runs it
adds a kernel under the same key (`graphc.bench.peers`); an acceptance target
is an entry in `targets.CHECKS`.

The computation of most cases is written once, as `math(ops, **inputs)` over
arrays of any library with the operators and an `ops` namespace (tanh, relu,
exp, softmax, row_max, row_sum): numpy's gives the reference every result is
checked against. A training-step case (W4, W5, W6) has a numpy `reference`
for its first loss, and, given a hand-written `numpy_step`, its update is
checked too and numpy's column times that step.
"""
import contextlib
import dataclasses
import functools
import logging
import types

import llvmlite
import llvmlite.binding
import numpy as np

import graphc

from . import cnn, first_run, lstm, mlp, tf1
from .peers import Column

SEED = 0
GB_PER_S = "GB/s"
GFLOP_PER_S = "GFLOP/s"


def stable_softmax(ops, x):
    """Row softmax as its users write it out: shift by the row maximum, exp, normalise."""
    e = ops.exp(x - ops.row_max(x))
    return e / ops.row_sum(e)


NUMPY_OPS = types.SimpleNamespace(tanh=np.tanh, relu=lambda v: np.maximum(v, 0), exp=np.exp,
                                  row_max=lambda v: v.max(axis=1, keepdims=True),
                                  row_sum=lambda v: v.sum(axis=1, keepdims=True))
NUMPY_OPS.softmax = functools.partial(stable_softmax, NUMPY_OPS)  # numpy has no softmax of its own


@dataclasses.dataclass(frozen=True)
class Case:
    key: str                 # workload id, a space, the row's name: "W1 gelu"
    label: str               # what the row measures; "{size}" stands for the size run
    inputs: object           # (rng, size) -> {name: numpy value}
    size: object             # `inputs`' size argument; `quick_size` under --quick
    quick_size: object
    math: object = None      # math(ops, **inputs) -> result
    reference: object = None  # numpy(**inputs) when `math` does not say it all
    tf1: object = None       # tf_module -> make(case, inputs): graphc's kernel, and TensorFlow's graph mode
    work: object = None      # (inputs, expected) -> bytes moved or flops, for `unit`
    unit: str = None         # GB_PER_S or GFLOP_PER_S
    limit: bool = False      # a W0 row: numpy's rate here is the machine's limit for `unit`
    tolerance: tuple = (1e-4, 1e-5)  # (rtol, atol) against numpy
    numpy_timed: bool = True  # numpy's reference is also a numpy column cell
    self_timed: bool = False  # kernels return (result, seconds)
    kernel_of: object = None  # column -> maker or None; default: column.kernels.get(key)
    numpy_step: object = None  # a training step's numpy_step(params, **data), updating params in place
    parameters: tuple = ()    # the names of the inputs a training step updates

    @property
    def workload(self):
        return self.key.split()[0]

    def describe(self, size):
        return self.label.format(size=size_text(size))

    def numpy(self, **inputs):
        return (self.reference or functools.partial(self.math, NUMPY_OPS))(**inputs)

    def update(self, inputs):
        """(parameters before, after one `numpy_step`) of a training step, else None."""
        if self.numpy_step is None:
            return None
        before = {name: inputs[name] for name in self.parameters}
        after = {name: value.copy() for name, value in before.items()}
        self.numpy_step(after, **{name: v for name, v in inputs.items() if name not in after})
        return before, after

    def kernel(self, column):
        return self.kernel_of(column) if self.kernel_of else column.kernels.get(self.key)


def size_text(size):
    """2^k for large powers of two, as BENCHMARKS.md writes them; a shape as 4096×1024."""
    if isinstance(size, tuple):
        return "×".join(map(str, size))
    if isinstance(size, int) and size >= 2 ** 16 and size & (size - 1) == 0:
        return f"2^{size.bit_length() - 1}"
    return str(size)


# -- the computations --------------------------------------------------------
def gelu(ops, x):
    return 0.5 * x * (1 + ops.tanh(0.7978845608 * (x + 0.044715 * x ** 3)))


def add(ops, x, y):
    return x + y


def dense(ops, x, w, b):
    return ops.relu(x @ w + b)


def matmul(ops, x, w):
    return x @ w


def softmax(ops, x):
    return ops.softmax(x)


def scalars(ops, x, y, z):
    return (x + y) * z


def copy(x, out):
    np.copyto(out, x)
    return out


# -- inputs and work ---------------------------------------------------------
def vectors(*names):
    return lambda rng, n: {name: rng.standard_normal(n, dtype=np.float32) for name in names}


def square_matmul(rng, n, bias=False):
    values = {"x": rng.standard_normal((n, n), dtype=np.float32),
              "w": (rng.standard_normal((n, n), dtype=np.float32) / np.float32(np.sqrt(n)))}
    if bias:
        values["b"] = rng.standard_normal(n, dtype=np.float32)
    return values


def copy_inputs(rng, n):
    return {"x": rng.standard_normal(n, dtype=np.float32), "out": np.zeros(n, np.float32)}


def matrix(rng, shape):
    return {"x": rng.standard_normal(shape, dtype=np.float32)}


def fed_scalars(rng, _):
    return {name: np.float32(rng.standard_normal()) for name in "xyz"}


def bytes_streamed(inputs, expected):
    return sum(np.asarray(v).nbytes for v in inputs.values()) + expected.nbytes


def matmul_flops(inputs, expected):
    (m, k), n = inputs["x"].shape, inputs["w"].shape[1]
    return 2 * m * k * n


# -- graphc's column ----------------------------------------------------------
@contextlib.contextmanager
def reference_fallbacks():
    """Notes for the plans graphc ran on its numpy reference executor instead
    of compiling them (it logs each at INFO): such a cell is not JIT code."""
    notes = []
    handler = logging.Handler(logging.INFO)
    handler.emit = lambda record: notes.append(record.getMessage())
    handler.addFilter(lambda record: "reference executor" in record.getMessage())
    logger = logging.getLogger("graphc")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield notes
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def fresh_process(warm):
    """W8's kernel for a column: its MLP step timed in a child process; the
    warm row exists for graphc only (the peers have no disk cache here)."""
    def kernel_of(column):
        if mlp.STEP in column.kernels and (column is GRAPHC or not warm):
            return first_run.in_fresh_process(column, warm)
        return None
    return kernel_of


CASES = [
    Case("W0 copy", "copy of {size} float32s (2^26: 256 MiB), numpy", copy_inputs, 2 ** 26, 2 ** 23,
         reference=copy, work=lambda inputs, _: 2 * inputs["x"].nbytes, unit=GB_PER_S, limit=True),
    Case("W0 sgemm", "{size}³ float32 matmul, numpy", square_matmul, 4096, 1024, math=matmul,
         work=matmul_flops, unit=GFLOP_PER_S, limit=True),
    Case("W1 gelu", "GELU-tanh on {size} floats", vectors("x"), 2 ** 24, 2 ** 20, math=gelu,
         tf1=tf1.callable_kernel, work=bytes_streamed, unit=GB_PER_S),
    Case("W1 add", "x + y on {size} floats", vectors("x", "y"), 2 ** 24, 2 ** 20, math=add,
         tf1=tf1.callable_kernel, work=bytes_streamed, unit=GB_PER_S),
    Case("W2 softmax", "row softmax of a {size} matrix, the library's softmax", matrix, (4096, 1024), (256, 1024),
         math=softmax, tf1=tf1.callable_kernel, work=bytes_streamed, unit=GB_PER_S),
    Case("W2 explicit", "row softmax of a {size} matrix, written out: exp(x - max) / sum", matrix, (4096, 1024),
         (256, 1024), math=stable_softmax, tf1=tf1.callable_kernel, work=bytes_streamed, unit=GB_PER_S),
    Case("W3 dense", "relu(x @ W + b), {size}³", functools.partial(square_matmul, bias=True), 1024, 256,
         math=dense, tf1=tf1.callable_kernel, work=matmul_flops, unit=GFLOP_PER_S),
    Case("W3 matmul", "x @ W, {size}³", square_matmul, 1024, 256, math=matmul,
         tf1=tf1.callable_kernel, work=matmul_flops, unit=GFLOP_PER_S),
    Case("W7 run", "(x + y) * z on 3 fed scalars, sess.run(feed_dict)", fed_scalars, None, None,
         math=scalars, tf1=tf1.feed_dict_kernel),
    Case("W7 callable", "(x + y) * z on 3 fed scalars, make_callable", fed_scalars, None, None,
         math=scalars, tf1=tf1.callable_kernel),
    Case("W4 step", "MLP 784-512-512-10, batch {size}: one SGD step fed from numpy", mlp.inputs, mlp.BATCH, 64,
         reference=mlp.first_loss, numpy_step=mlp.numpy_step, parameters=mlp.PARAMETERS, numpy_timed=False,
         tf1=tf1.mlp_step_kernel),
    Case("W5 step", "Deep MNIST CNN, batch {size}: one Adam step (conv, pool, dense, forward and backward)",
         cnn.inputs, cnn.BATCH, cnn.QUICK_BATCH, reference=cnn.first_loss, parameters=cnn.NAMES, numpy_timed=False,
         tf1=cnn.step_kernel),
    *[Case(f"W6 {rnn}_rnn", f"LSTM (seq, batch) {{size}}, input {lstm.DEPTH}, hidden {lstm.HIDDEN}: one SGD step, "
                             f"tf.nn.{rnn}_rnn", lstm.inputs, (lstm.STEPS, lstm.BATCH),
           (lstm.QUICK_STEPS, lstm.QUICK_BATCH),
           reference=lstm.first_loss, numpy_step=lstm.numpy_step, parameters=lstm.PARAMETERS, numpy_timed=False,
           tf1=tf1.step_kernel(functools.partial(lstm.graph, rnn=rnn)), tolerance=lstm.TOLERANCE)
      for rnn in ("dynamic", "static")],
    Case("W8 cold", "W4 MLP step, batch {size}: construction to end of first run, fresh process and cache",
         mlp.inputs, mlp.BATCH, mlp.BATCH, reference=mlp.first_loss, numpy_timed=False,
         self_timed=True, kernel_of=fresh_process(warm=False)),
    Case("W8 warm", "the same, a second process finding the disk cache",
         mlp.inputs, mlp.BATCH, mlp.BATCH, reference=mlp.first_loss, numpy_timed=False,
         self_timed=True, kernel_of=fresh_process(warm=True)),
]

# The cases the compiling peers (XLA, JAX, PyTorch) run straight from `math`.
ARRAY_CASES = [case.key for case in CASES if case.math and case.unit and not case.limit]


def tf1_kernels(tf):
    """The kernels of the cases written in TF1 style, for the module `tf`."""
    return {case.key: case.tf1(tf) for case in CASES if case.tf1}


LLVM_VERSION = ".".join(map(str, llvmlite.binding.llvm_version_info))
GRAPHC = Column("graphc", "graphc", f"graphc {graphc.__version__}, llvmlite {llvmlite.__version__} (LLVM {LLVM_VERSION})",
                tf1_kernels(graphc), watch=reference_fallbacks)
