"""tf.summary: summary ops are graph ops whose value is a serialised Summary;
FileWriter writes real event files, read back here with TensorBoard's own
EventAccumulator: the graph, the scalars, the histograms."""
import sys
import types

import numpy as np
import pytest

import graphc as tf

pytest.importorskip("tensorboard", reason="tf.summary needs the tensorboard package (graphc[tensorboard])")
# TensorBoard's readers use TensorFlow when it is installed (seconds to import);
# this module, TensorBoard's own switch, makes them use their built-in stand-in.
sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.compat.proto import summary_pb2  # noqa: E402


def _parsed(blob):
    return {v.tag: v for v in summary_pb2.Summary.FromString(blob).value}


def test_summary_ops_are_graph_ops_named_and_tagged_as_in_tf1():
    x = tf.placeholder(tf.float32, [None], name="x")
    with tf.name_scope("train"):
        loss = tf.reduce_mean(x, name="loss")
        scalar = tf.summary.scalar("loss", loss)
    histogram = tf.summary.histogram("w:0", x)
    assert scalar.op.type == "ScalarSummary" and scalar.op.name == "train/loss_1" and scalar.dtype == tf.string
    assert histogram.op.get_attr("tag") == "w_0"
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [scalar, histogram]
    blob = tf.Session().run(tf.summary.merge_all(), {x: [1.0, 2.0, 6.0]})
    values = _parsed(blob)
    assert values["train/loss_1"].simple_value == 3.0
    histo = values["w_0"].histo
    assert (histo.min, histo.max, histo.num, histo.sum, histo.sum_squares) == (1.0, 6.0, 3, 9.0, 41.0)
    assert sum(histo.bucket) == 3 and list(histo.bucket_limit) == sorted(histo.bucket_limit)


def test_merge_refuses_duplicate_tags_and_merge_all_of_nothing_is_none():
    assert tf.summary.merge_all() is None
    a = tf.summary.scalar("a", 1.0, collections=[])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Duplicate tag a"):
        tf.Session().run(tf.summary.merge([a, a]))


def test_a_histogram_of_nan_is_an_error_naming_the_tag():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Nan or Inf in summary histogram for: h"):
        tf.Session().run(tf.summary.histogram("h", tf.constant([1.0, np.nan])))


def test_summaries_run_on_the_host_after_the_compiled_call():
    x = tf.placeholder(tf.float32, [3], name="x")
    total = tf.reduce_sum(x)
    merged = tf.summary.merge([tf.summary.scalar("total", total), tf.summary.histogram("tripled", x * 3.0)])
    fn = tf.Session(executor="llvm").make_callable([x * 2.0, merged, total], [x])
    doubled, blob, value = fn(np.array([1, 2, 3], np.float32))
    assert doubled.tolist() == [2, 4, 6] and value == 6.0
    parsed = _parsed(blob)
    assert parsed["total"].simple_value == 6.0 and parsed["tripled"].histo.max == 9.0
    assert not hasattr(fn.plan, "fallback_reason") and fn.kernels  # the rest is compiled


def test_file_writer_events_hold_the_graph_and_the_scalars(tmp_path):
    x = tf.placeholder(tf.float32, [None], name="x")
    w = tf.Variable(1.0, name="w")
    loss = tf.reduce_mean(tf.square(w * x - 3.0), name="loss")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    tf.summary.scalar("loss", loss)
    tf.summary.histogram("weight", w)
    merged = tf.summary.merge_all()
    losses = []
    with tf.Session() as sess, tf.summary.FileWriter(str(tmp_path), sess.graph) as writer:
        sess.run(tf.global_variables_initializer())
        for step in range(4):
            summary, current, _ = sess.run([merged, loss, train], {x: [1.0, 2.0]})
            writer.add_summary(summary, step)
            losses.append(current)
        manual = tf.summary.Summary(value=[tf.summary.Summary.Value(tag="by_hand", simple_value=7.0)])
        writer.add_summary(manual, 4)
    assert len(list(tmp_path.glob("events.out.tfevents.*"))) == 1
    events = EventAccumulator(str(tmp_path), size_guidance={"histograms": 0})  # 0: keep every event
    events.Reload()
    assert [e.step for e in events.Scalars("loss_1")] == [0, 1, 2, 3]
    assert [e.value for e in events.Scalars("loss_1")] == pytest.approx(losses)
    assert events.Scalars("by_hand")[0].value == 7.0
    assert [e.step for e in events.Histograms("weight")] == [0, 1, 2, 3]
    graph = {node.name: node for node in events.Graph().node}
    assert graph["loss"].op == "Mean" and graph["w/Assign"].input == ["w", "w/initial_value"]
    assert graph["x"].attr["dtype"].type == 1 and graph["x"].attr["shape"].shape.dim[0].size == -1
    assert [d.size for d in graph["w/initial_value"].attr["_output_shapes"].list.shape[0].dim] == []


def test_without_tensorboard_the_error_names_the_extra(monkeypatch):
    import sys
    from graphc.summary import protos
    protos.load.cache_clear()
    monkeypatch.setitem(sys.modules, "tensorboard.compat.proto", None)
    try:
        with pytest.raises(ImportError, match=r"pip install 'graphc\[tensorboard\]'"):
            tf.summary.scalar("loss", 1.0)
    finally:
        protos.load.cache_clear()
