"""The pass manager: pipeline order, pass selection (Session, ConfigProto,
GRAPHC_DISABLE_PASSES), verification after every pass, GRAPHC_DUMP."""
import numpy as np
import pytest

import graphc as tf
from graphc.errors import InternalError
from graphc.io.text import format_op
from graphc.passes import manager
from graphc.passes.program import from_user_graph, rewrite
from graphc.passes.verify import verify
from tests.passes.common import ALL_PASSES, optimised

REWRITES = ["prune", "constant_fold", "stabilize", "simplify", "cse", "drop_unit_reductions", "join_summed_products"]


def test_the_pipeline_runs_the_rewrites_before_composite_expansion():
    names = list(manager.PASS_NAMES)
    assert names[:len(REWRITES) + 1] == REWRITES + ["expand_composites"]


def _small_graph():
    x = tf.placeholder(tf.float32, [3], name="x")
    return x, tf.identity(x * 1.0 + tf.constant(2.0) * 3.0, name="y")


def test_pass_log_has_a_record_per_pass_in_pipeline_order():
    x, y = _small_graph()
    fn = optimised(y, {x: None}, ALL_PASSES)
    np.testing.assert_array_equal(fn(np.arange(3, dtype=np.float32)), [6, 7, 8])
    assert [r.name for r in fn.pass_log] == list(manager.PASS_NAMES)
    assert all(r.ops_before >= 0 and r.ops_after >= 0 and r.seconds >= 0 for r in fn.pass_log)


def _selected(config=None, passes=None):
    return tf.Session(executor="llvm", config=config, passes=passes).passes


def _config(**options):
    return tf.ConfigProto(graph_options=tf.GraphOptions(optimizer_options=tf.OptimizerOptions(**options)))


@pytest.mark.parametrize("options,off", [
    ({"do_common_subexpression_elimination": False}, {"cse"}),
    ({"do_constant_folding": False}, {"constant_fold"}),
    ({"do_common_subexpression_elimination": False, "do_constant_folding": False}, {"cse", "constant_fold"}),
    ({"opt_level": tf.OptimizerOptions.L0}, {"constant_fold", "stabilize", "simplify", "cse", "drop_unit_reductions",
                                             "join_summed_products", "slice_products"}),
    ({"opt_level": tf.OptimizerOptions.L1}, set()),
])
def test_tf1_optimizer_options_turn_passes_off(options, off):
    assert set(_selected()) - set(_selected(_config(**options))) == off
    assert "expand_composites" in _selected(_config(**options))


def test_session_passes_and_environment_select_passes(monkeypatch):
    assert _selected(passes=["cse", "prune"]) == ["prune", "cse"]
    monkeypatch.setenv("GRAPHC_DISABLE_PASSES", "cse, constant_fold")
    assert not {"cse", "constant_fold"} & set(_selected())
    assert _selected(passes=["cse", "simplify"]) == ["simplify"]


def test_a_config_without_optimizer_options_changes_nothing():
    assert _selected(tf.ConfigProto()) == _selected()


def _bad_pass(program):
    """Makes every Add an int32 Cast of a Sub: a changed dtype, which verification must catch."""
    def replace(op, inputs):
        return [tf.cast(inputs[0] - inputs[1], tf.int32)]
    return rewrite(program, {"Add": replace})


def test_verification_names_the_pass_and_the_op(monkeypatch):
    monkeypatch.setattr(manager, "PIPELINE", manager.PIPELINE + (("bad", _bad_pass),))
    monkeypatch.setattr(manager, "PASS_NAMES", manager.PASS_NAMES + ("bad",))
    x = tf.placeholder(tf.float32, [3], name="x")
    total = tf.add(x, x, name="total")
    out = tf.negative(total, name="out")
    feed = {x: np.zeros(3, np.float32)}
    sess = tf.Session(executor="reference", passes=["bad"])
    with pytest.raises(InternalError, match="pass 'bad' changed fetched 'total:0' .float32 .3,.. into "
                                            "'total/Cast:0' .int32 .3,..\nOp 'total/Cast'"):
        sess.run(total, feed)
    with pytest.raises(InternalError, match="after pass 'bad', 'out:0' is int32 .3,., but it had float32"):
        sess.run(out, feed)


def test_a_cycle_is_reported_naming_the_pass(monkeypatch):
    x = tf.placeholder(tf.float32, [3], name="x")
    program = from_user_graph([tf.negative(x, name="neg")], [x])
    neg = program.graph.get_operation_by_name("neg")
    monkeypatch.setattr(neg, "control_inputs", (neg,))
    with pytest.raises(InternalError, match="pass 'loop' made a cycle through ops \\['neg'\\]"):
        verify(program, "loop", program)


def test_dump_writes_text_and_dot_after_every_pass(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPHC_DUMP", str(tmp_path))
    x, y = _small_graph()
    optimised(y, {x: None}, ["prune", "constant_fold", "simplify"])
    [folder] = list(tmp_path.iterdir())
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"{i:02d}-{n}.{ext}" for i, n in enumerate(["input", "prune", "constant_fold", "simplify"])
                     for ext in ("dot", "txt")]
    folded = (folder / "02-constant_fold.txt").read_text().splitlines()
    assert folded[:2] == ["# fetches: y", "# feeds: x"]
    assert "Mul_1 = Const() {dtype=float32, value=6.} : float32[]" in folded
    assert (folder / "03-simplify.txt").read_text().count(" = Mul(") == 0
    assert (folder / "03-simplify.dot").read_text().startswith('digraph "simplify" {')


def test_text_format_is_one_line_per_op():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.constant(np.ones((3, 20), np.float32), name="w")
    with tf.control_dependencies([tf.no_op(name="first")]):
        y = tf.matmul(x, w, name="y")
    assert format_op(y.op) == "y = MatMul(x, w, ^first) {transpose_a=False, transpose_b=False} : float32[?,20]"
    assert format_op(w.op).startswith("w = Const() {dtype=float32, value=<float32[3,20] #")
    assert format_op(tf.no_op(name="n")) == "n = NoOp() : ()"
