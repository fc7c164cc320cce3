"""Files graphc writes survive a crash, and files it reads are checked.

Killing the process (kill -9) anywhere in Saver.save leaves the previous
checkpoint readable: each file is written to a temporary file, fsynced and
renamed, data before index before the directory's state file. Corrupt
checkpoints, graph files and kernel-cache entries are covered by
tests/graphc/test_saver.py, tests/io/test_graph_files.py and
tests/runtime/test_jit.py; here, what those leave out."""
import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import graphc as tf
from graphc.io import GraphFileError, load_graph

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FSYNCS_PER_SAVE = 6  # data, index, state file: each fsynced, then its directory


def _killed_during_save(directory, stop_at, same=False):
    """Run interrupted_save.py and kill -9 it in its `stop_at`-th fsync."""
    child = subprocess.Popen([sys.executable, "-m", "tests.reliability.interrupted_save", str(directory),
                              str(stop_at), "same" if same else "new"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        for line in child.stdout:
            assert not line.startswith("DONE"), "the save finished before it was killed"
            if line.startswith(f"FSYNC {stop_at} "):
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL


def _restored(path):
    with tf.Graph().as_default():
        w = tf.Variable(np.zeros((256, 256), np.float32), name="w")
        sess = tf.Session(executor="reference")
        tf.train.Saver().restore(sess, path)
        return sess.run(w)


@pytest.mark.parametrize("stop_at", range(1, FSYNCS_PER_SAVE + 1))
def test_a_save_killed_at_any_point_leaves_a_readable_latest_checkpoint(tmp_path, stop_at):
    _killed_during_save(tmp_path, stop_at)
    latest = tf.train.latest_checkpoint(str(tmp_path))
    value = _restored(latest)
    # The state file names the new checkpoint only once it is complete.
    expected = 2.0 if latest.endswith("model-2") else 1.0
    assert latest.endswith("model-1") or stop_at == FSYNCS_PER_SAVE
    np.testing.assert_array_equal(value, np.full((256, 256), expected))
    np.testing.assert_array_equal(_restored(str(tmp_path / "model-1")), np.ones((256, 256)))


def test_overwriting_a_checkpoint_killed_while_writing_keeps_the_old_one(tmp_path):
    _killed_during_save(tmp_path, 1, same=True)
    np.testing.assert_array_equal(_restored(tf.train.latest_checkpoint(str(tmp_path))), np.ones((256, 256)))


def test_no_loader_unpickles_or_evaluates():
    """No pickle or eval on any file graphc loads (checked in the loaders' source)."""
    import graphc.runtime.jit
    import graphc.train.checkpoint_io
    for module in (graphc.train.checkpoint_io, graphc.runtime.jit, *_io_modules()):
        text = open(module.__file__).read()
        for forbidden in ("import pickle", "pickle.load", "eval(", "exec(", "allow_pickle=True", "marshal"):
            assert forbidden not in text, f"{module.__name__} uses {forbidden}"


def _io_modules():
    import importlib
    import pkgutil

    import graphc.io
    return [importlib.import_module(f"graphc.io.{m.name}") for m in pkgutil.iter_modules(graphc.io.__path__)]


@pytest.mark.parametrize("document,message", [
    ({"format": "graphc.GraphDef", "version": 1, "node": [
        {"name": "c", "op": "Const", "attr": {"value": {"tensor": {"dtype": "float32", "shape": [1 << 20, 1 << 20],
                                                                     "values": []}}}}]},
     "larger than the limit"),
    ({"format": "graphc.GraphDef", "version": 1, "node": [
        {"name": "p", "op": "Placeholder", "attr": {"dtype": {"dtype": "float32"}},
         "outputs": [["float32", [1 << 62]]]}]}, "dimension"),
    ({"format": "graphc.GraphDef", "version": 1, "node": [
        {"name": "x", "op": "Const", "attr": {"value": {"__class__": "os.system"}}}]}, "unknown kind of value"),
    ({"format": "graphc.GraphDef", "version": 1, "node": [
        {"name": "x", "op": "Const", "attr": {"value": {"pickle": "gASVAAAAAAAAAAA="}}}]}, "unknown kind of value"),
])
def test_crafted_graph_files_are_refused(tmp_path, document, message):
    path = tmp_path / "g.json"
    path.write_text(json.dumps(document))
    with pytest.raises(GraphFileError, match=message):
        load_graph(str(path))


def test_a_kernel_cache_entry_of_another_format_version_is_rebuilt(tmp_path, monkeypatch):
    from graphc.runtime import jit
    monkeypatch.setenv("GRAPHC_CACHE_DIR", str(tmp_path))
    x = tf.placeholder(tf.float32, [None])
    y = tf.tanh(x) * 3.0
    tf.Session().run(y, {x: [1.0]})
    [entry] = tmp_path.glob("*.o")
    data = entry.read_bytes()
    entry.write_bytes(data[:7] + bytes([data[7] + 1]) + data[8:])  # the magic's version byte
    rejected, misses = jit.stats.rejected, jit.stats.misses
    np.testing.assert_allclose(tf.Session().run(y, {x: [1.0]}), [np.tanh(1.0) * 3], rtol=1e-6)
    assert (jit.stats.rejected - rejected, jit.stats.misses - misses) == (1, 1)
    assert entry.read_bytes() == data  # rewritten in the current format
