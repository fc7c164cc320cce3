"""Graph files: every op and every example graph written, read back and
imported runs to the same results; variables, collections and savers come
back; and a file that is not what it claims fails with a GraphFileError."""
import json
import os

import numpy as np
import pytest

import graphc as tf
from graphc.func_graph import Function
from graphc.io import GraphFileError, import_graph_def, load_graph, read_graph, write_graph
from graphc.io.values import INLINE_ELEMENTS
from graphc.passes.manager import PASS_NAMES
from tests.cases import all_cases
from tests.helpers import build_case
from tests.io.graphs import EXAMPLES, build, run_all

CASES = all_cases()


def round_trip(graph, tmp_path, name="graph.json", **import_args):
    path = write_graph(graph, str(tmp_path), name)
    copy = tf.Graph()
    with copy.as_default():
        import_graph_def(read_graph(path), name="", **import_args)
    return copy


def assert_same(got, want):
    for a, b in zip(got, want):
        if isinstance(a, (list, tuple)):
            assert_same(a, b)
        elif a is not None or b is not None:
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_graph_runs_the_same_after_a_round_trip(name, tmp_path):
    graph, runs = build(EXAMPLES[name])
    copy = round_trip(graph, tmp_path)
    assert [op.name for op in copy.get_operations()] == [op.name for op in graph.get_operations()]
    assert_same(run_all(copy, runs, "reference"), run_all(graph, runs, "reference"))  # the file is under test


@pytest.mark.parametrize("op_type,case", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_op_runs_the_same_after_a_round_trip(op_type, case, tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        outputs, feeds = build_case(op_type, case)
    names = [t.name for t in outputs]
    feeds = {t.name: v for t, v in feeds.items()}
    copy = round_trip(graph, tmp_path)
    run = [(names, feeds)]
    assert_same(run_all(copy, run, "reference"), run_all(graph, run, "reference"))


def test_an_optimised_graph_round_trips(tmp_path):
    graph, runs = build(EXAMPLES["mnist_mlp"])
    with tf.Session(graph=graph, executor="reference", passes=PASS_NAMES) as sess:
        fn = sess.make_callable("Relu:0", ["x:0"])
    assert {"FusedMatMul"} <= {op.type for op in fn.graph.get_operations()}
    copy = round_trip(fn.graph, tmp_path)
    assert [op.attrs.get("covers") for op in copy.get_operations()] == \
        [op.attrs.get("covers") for op in fn.graph.get_operations()]


def test_variables_come_back_with_their_initializers_and_collections(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        tf.Variable([1.0, 2.0], name="w")
        tf.Variable(3, name="steps", trainable=False)
    copy = round_trip(graph, tmp_path)
    with copy.as_default():
        assert [v.name for v in tf.global_variables()] == ["w:0", "steps:0"]
        assert [v.name for v in tf.trainable_variables()] == ["w:0"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(tf.global_variables()[0]).tolist() == [1.0, 2.0]


def test_large_constants_go_to_the_side_npz_and_small_ones_inline(tmp_path):
    big = np.arange(INLINE_ELEMENTS + 1, dtype=np.float32)
    graph = tf.Graph()
    with graph.as_default():
        tf.add(tf.constant(big, name="big"), 1.0, name="out")
        tf.constant([np.nan, -np.inf, 2.5], name="small")
    path = write_graph(graph, str(tmp_path), "g.json")
    document = json.loads(open(path).read())
    small = next(n for n in document["node"] if n["name"] == "small")["attr"]["value"]["tensor"]
    assert small["values"] == [{"float": "nan"}, {"float": "-inf"}, 2.5]
    assert document["arrays"]["file"] == "g.json.npz" and os.path.exists(path + ".npz")
    copy = round_trip(graph, tmp_path, "g.json")
    np.testing.assert_array_equal(tf.Session(graph=copy).run("out:0"), big + 1)


def test_import_under_a_scope_with_an_input_map_and_return_elements(tmp_path):
    graph, _ = build(EXAMPLES["computational_graph"])
    graph_def = graph.as_graph_def()
    with tf.Graph().as_default():
        two = tf.constant(2.0, name="two")
        g, p = import_graph_def(graph_def, input_map={"x": two}, return_elements=["g:0", "p"])
        imported = import_graph_def(graph_def, return_elements=["g:0"])[0]
        assert g.name == "import/g:0" and p.name == "import/p" and imported.name == "import_1/g:0"
        assert tf.Session().run(g, {"import/y:0": 3.0, "import/z:0": -3.0}) == -15.0
        with pytest.raises(GraphFileError, match="already has an op named 'two'"):
            import_graph_def(_graph_def_with_op("two"), name="")


def _graph_def_with_op(name):
    with tf.Graph().as_default() as graph:
        tf.constant(1.0, name=name)
    return graph.as_graph_def()


def test_a_meta_graph_brings_back_collections_and_a_saver(tmp_path):
    graph, runs = build(EXAMPLES["linear_regression"])
    with graph.as_default():
        tf.add_to_collection("train_op", graph.get_operation_by_name("GradientDescent"))
        tf.add_to_collection("loss", graph.get_tensor_by_name("Mean:0"))
        tf.add_to_collection("notes", "fit y = 3x + 2")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            results = [sess.run(f, d) for f, d in runs]
            checkpoint = saver.save(sess, str(tmp_path / "model"))
        saver.export_meta_graph(checkpoint + ".meta")
    with tf.Graph().as_default():
        restorer = tf.train.import_meta_graph(checkpoint + ".meta")
        assert tf.get_collection("notes") == ["fit y = 3x + 2"]
        with tf.Session() as sess:
            restorer.restore(sess, checkpoint)
            assert_same(sess.run(["weight:0", "bias:0"]), results[-1])
            before = sess.run(tf.get_collection("loss")[0], runs[1][1])
            sess.run(tf.get_collection("train_op")[0], runs[1][1])
            assert sess.run(tf.get_collection("loss")[0], runs[1][1]) < before


# -- files that are not what they claim -----------------------------------------------
@pytest.fixture
def good_file(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        w = tf.Variable(np.ones((4, 30), np.float32), name="w")
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        tf.nn.softmax(tf.matmul(x, w) + tf.constant(np.arange(30, dtype=np.float32)), name="y")
    return write_graph(graph, str(tmp_path), "good.json")


def load(path):
    """Read and import: what must succeed or fail with a GraphFileError."""
    with tf.Graph().as_default():
        import_graph_def(read_graph(path), name="")


def test_truncated_files_are_refused_clearly(good_file, tmp_path):
    data = open(good_file, "rb").read()
    for cut in range(0, len(data) - 2, max(1, len(data) // 60)):
        path = tmp_path / f"cut{cut}.json"
        path.write_bytes(data[:cut])
        with pytest.raises(GraphFileError, match="not valid JSON|truncated|not a graphc"):
            load(str(path))


def test_fuzzed_files_load_or_fail_with_a_graph_file_error(good_file, tmp_path):
    data = bytearray(open(good_file, "rb").read())
    rng = np.random.default_rng(9)
    path = tmp_path / "fuzzed.json"  # beside good.json.npz, which the document names
    for trial in range(300):
        mutated = bytearray(data)
        for _ in range(rng.integers(1, 4)):
            at = int(rng.integers(0, len(mutated)))
            mutated[at] = int(rng.choice(list(b'{}[]",:0123456789-.eEtrufalsn \xff')))
        path.write_bytes(bytes(mutated))
        try:
            load(str(path))
        except GraphFileError:
            pass


@pytest.mark.parametrize("edit,message", [
    (lambda d: d.update(format="something.else"), "not a graphc.GraphDef|neither"),
    (lambda d: d.update(version=99), "newer graphc"),
    (lambda d: d["node"][0].update(op="NoSuchOp"), "unknown op type 'NoSuchOp'"),
    (lambda d: d["node"][1].update(input=["missing"]), "input 'missing' is not an op"),
    (lambda d: d["node"][0].update(input=[d["node"][-1]["name"]]), "cycle"),
    (lambda d: d["node"].append(dict(d["node"][0])), "a second op is named"),
    (lambda d: d["node"][0]["attr"].update(shape={"pickle": "gASVAAAA"}), "unknown kind of value 'pickle'"),
    (lambda d: d["node"][0]["attr"].update(dtype={"dtype": "object"}), "unknown dtype"),
    (lambda d: d["node"][0]["attr"].update(shape={"shape": [-1]}), "expected a dimension"),
    (lambda d: d["node"][0].update(outputs=[["int32", [2]]]), "the GraphDef says its outputs are"),
    (lambda d: _first_const(d).update(values=[1.0]), "holds 1 values for a shape"),
    (lambda d: _first_const(d).update(shape=[1 << 20, 1 << 20]), "larger than the limit"),
    (lambda d: d["node"][0]["attr"].update(shape=_nested(100)), "nested deeper"),
    (lambda d: d.update(arrays={"file": "../../etc/passwd", "size": 1, "sha256": "0"}), "not a file name beside"),
    (lambda d: d.update(arrays={"file": "absent.npz", "size": 1, "sha256": "0"}), "cannot be read"),
])
def test_invalid_documents_are_refused_naming_what_is_wrong(edit, message, tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [2], name="x")
        tf.identity(x * tf.constant([1.0, 2.0]), name="y")
    assert_refused_when_edited(write_graph(graph, str(tmp_path), "g.json"), edit, message)


def assert_refused_when_edited(path, edit, message):
    """The graph file `path`, its document changed by `edit`, fails to load with `message`."""
    document = json.loads(open(path).read())
    edit(document)
    with open(path, "w") as f:
        json.dump(document, f)
    with pytest.raises(GraphFileError, match=message):
        load(path)


def _first_const(document):
    return next(n for n in document["node"] if n["op"] == "Const")["attr"]["value"]["tensor"]


def _nested(depth):
    value = 1
    for _ in range(depth):
        value = {"tuple": [value]}
    return value


def test_deeply_nested_json_is_refused(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100000 + "]" * 100000)
    with pytest.raises(GraphFileError):
        load(str(path))


def _npz_graph(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        tf.identity(tf.constant(np.zeros(INLINE_ELEMENTS + 1, np.float32)), name="y")
    path = write_graph(graph, str(tmp_path), "g.json")
    return path, json.loads(open(path).read())


def _replace_side_file(path, document, data):
    with open(path + ".npz", "wb") as f:
        f.write(data)
    import hashlib
    document["arrays"].update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
    with open(path, "w") as f:
        json.dump(document, f)


def test_a_changed_side_file_is_refused(tmp_path):
    path, _ = _npz_graph(tmp_path)
    with open(path + ".npz", "ab") as f:
        f.write(b"x")
    with pytest.raises(GraphFileError, match="truncated or replaced"):
        load(path)


def test_a_pickle_in_the_side_file_is_never_run(tmp_path):
    import io
    import pickle

    class Payload:
        def __reduce__(self):
            return (open, (str(tmp_path / "pwned"), "w"))
    path, document = _npz_graph(tmp_path)
    buffer = io.BytesIO()
    np.savez(buffer, a0=np.array([Payload()], dtype=object))
    _replace_side_file(path, document, buffer.getvalue())
    with pytest.raises(GraphFileError, match="Python objects"):
        load(path)
    assert not (tmp_path / "pwned").exists()
    assert pickle  # the payload above is what pickle would have run


def test_a_side_file_declaring_a_huge_array_is_refused_before_allocating(tmp_path):
    import io
    import zipfile
    path, document = _npz_graph(tmp_path)
    header = np.lib.format.header_data_from_array_1_0(np.zeros(1, np.float64))
    header["shape"] = (1 << 40,)
    member = io.BytesIO()
    np.lib.format.write_array_header_1_0(member, header)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a0.npy", member.getvalue() + b"\0" * 8)
    _replace_side_file(path, document, buffer.getvalue())
    with pytest.raises(GraphFileError, match="above the limit"):
        load(path)


def test_missing_and_oversized_files(tmp_path, monkeypatch):
    with pytest.raises(GraphFileError, match="cannot read graph file"):
        read_graph(str(tmp_path / "absent.json"))
    path, _ = _npz_graph(tmp_path)
    monkeypatch.setattr("graphc.io.files.MAX_FILE_BYTES", 10)
    with pytest.raises(GraphFileError, match="above the limit of 10"):
        read_graph(path)


def test_an_attribute_a_file_cannot_hold_is_named_when_writing(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        op = tf.constant(1.0, name="c").op
    op.attrs["callback"] = print
    with pytest.raises(TypeError, match="op 'c' \\(Const\\) attribute 'callback'.*builtin_function_or_method"):
        write_graph(graph, str(tmp_path), "g.json")


# -- functions: a library in the document -----------------------------------------------
def _nested_loops(tmp_path):
    """A cond inside a while_loop's body, differentiated: functions holding
    functions, and a While and its recording twin holding the same body."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float64, [3], name="x")

        def body(i, v):
            return i + 1, tf.cond(tf.reduce_sum(v) > 0, lambda: v * 0.5 + 1.0, lambda: tf.sin(v) - 1.0)
        _, y = tf.while_loop(lambda i, v: i < 4, body, [0, x], maximum_iterations=6)
        loss = tf.reduce_sum(y * y, name="loss")
        tf.identity(tf.gradients(loss, x)[0], name="grad")
    return graph, write_graph(graph, str(tmp_path), "loops.json")


def _function_names(value):
    if isinstance(value, dict):
        return [value["function"]] if set(value) == {"function"} else \
            [n for v in value.values() for n in _function_names(v)]
    return [n for v in value for n in _function_names(v)] if isinstance(value, list) else []


def test_functions_are_written_once_each_after_the_functions_they_use(tmp_path):
    graph, path = _nested_loops(tmp_path)
    document = json.loads(open(path).read())
    defined = [f["name"] for f in document["library"]]
    assert len(defined) == len(set(defined))
    for i, function in enumerate(document["library"]):
        assert set(_function_names(function["node"])) <= set(defined[:i])
    assert set(_function_names(document["node"])) <= set(defined)
    held = {id(v) for op in graph.get_operations() for v in op.attrs.values() if isinstance(v, Function)}
    assert len(held) < len(_function_names(document["node"]))  # the recording twin shares its loop's functions


@pytest.mark.parametrize("executor", ["reference", "llvm"])
def test_nested_functions_run_the_same_after_a_round_trip(tmp_path, executor):
    graph, path = _nested_loops(tmp_path)
    copy = load_graph(path)
    run = [(["loss:0", "grad:0"], {"x:0": np.array([0.3, -2.0, 0.4])})]
    assert_same(run_all(copy, run, executor), run_all(graph, run, executor))
    np.testing.assert_allclose(run_all(copy, run, executor)[0][1], run_all(graph, run, "reference")[0][1], rtol=1e-12)
    forward = copy.get_operation_by_name("while/while")
    twin = copy.get_operation_by_name("gradients/while/while_grad/while/while_recorded")
    assert twin.attrs["body"] is forward.attrs["body"] and isinstance(forward.attrs["body"], Function)


def _library_entry(document, holding):
    """The library entry with an op of type `holding`."""
    return next(f for f in document["library"] if any(n["op"] == holding for n in f["node"]))


@pytest.mark.parametrize("edit,message", [
    (lambda d: d["library"].reverse(), "is not defined in the library before its use"),
    (lambda d: d["node"][-1]["attr"].update(then_branch={"function": "absent"}) or
     next(n for n in d["node"] if n["op"] == "While")["attr"].update(body={"function": "absent"}),
     "function 'absent' is not defined"),
    (lambda d: d["library"].append(dict(d["library"][0])), "a second function of this name"),
    (lambda d: _library_entry(d, "Sin")["input"].append(_library_entry(d, "Sin")["node"][-1]["name"]),
     "not a Placeholder"),
    (lambda d: _library_entry(d, "Sin")["output"].append("nothing:3"), "names no tensor of the function"),
    (lambda d: _library_entry(d, "Sin")["node"].append({"name": "loop", "op": "Sin", "input": ["loop"]}), "cycle"),
    (lambda d: d.update(library={"f": []}), "a list of functions"),
    (lambda d: d["library"][0].update(input=["x:1"]), "expected an op name"),
])
def test_invalid_function_libraries_are_refused(edit, message, tmp_path):
    assert_refused_when_edited(_nested_loops(tmp_path)[1], edit, message)


def test_functions_nested_deeper_than_the_limit_are_refused(tmp_path, monkeypatch):
    _, path = _nested_loops(tmp_path)
    load(path)
    monkeypatch.setattr("graphc.io.importer.MAX_FUNCTION_NESTING", 1)
    with pytest.raises(GraphFileError, match="functions nest deeper than the limit of 1"):
        load(path)
