"""docs/tf1-compatibility.md: every TF1 symbol classic programs use
(tests/tf1_symbols.txt, from the project's API survey), whether `graphc` has
it, and which of the TF1 programs in tests/tf1_programs/ use it; then the
behaviours those programs rely on, each with the test that shows it. The page
is generated here, so it cannot drift: regenerate with
`python -m tests.test_tf1_compatibility`."""
import glob
import importlib
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "tf1-compatibility.md")
PROGRAMS = os.path.join(ROOT, "tests", "tf1_programs")

# The behaviours of the survey that no symbol names, and the tests showing them (file::test).
BEHAVIOURS = [
    ("Default session: `Tensor.eval(feed_dict)`, `Variable.eval()`, `Operation.run()`; sessions without `with`",
     "test_behaviours.py::test_default_session_eval_and_run"),
    ("Fetches (ops give None, `[t]` a list, numpy scalars, `bytes` for strings) and feed conversions",
     "test_behaviours.py::test_fetches_and_feeds_convert_as_in_tf1"),
    ("Float64 arrays and Python floats into float32 and shape-less placeholders",
     "test_regression.py::test_linear_regression_fits_the_line"),
    ("Variables from random ops with tensor parameters, Python scalars; `trainable=False`; initializers with feeds",
     "test_behaviours.py::test_initializers_take_feeds_and_variables_follow_tf1_dtypes"),
    ("Ops created after the session exists and inside the training loop",
     "test_behaviours.py::test_ops_created_inside_the_training_loop_run_in_the_same_session"),
    ("Several sessions one after another on one graph",
     "test_behaviours.py::test_several_sessions_one_after_another_on_one_graph"),
    ("`minimize(var_list=)`, two optimisers on separate variables",
     "test_generative.py::test_gan_generator_learns_the_data_mean"),
    ("`compute_gradients` + `apply_gradients` of gradients averaged over two towers",
     "test_behaviours.py::test_towers_average_their_gradients"),
    ("Saver: `save(global_step=)`, `get_checkpoint_state(dir).model_checkpoint_path`, restore in a later process",
     "test_checkpoints.py::test_a_checkpoint_written_here_is_restored_by_another_process"),
    ("Summaries of every variable and gradient, `merge_all`, `FileWriter` event files",
     "test_tensorboard.py::test_summaries_of_a_training_run_reach_the_event_file"),
    ("`tf.device` strings and functions reading `op.node_def.op`; `ConfigProto`, `gpu_options.allow_growth`",
     "test_behaviours.py::test_devices_node_defs_and_configs_are_accepted"),
    ("`variable_scope` reuse, `get_collection(key, scope=)`, `name_scope`, variable names",
     "test_behaviours.py::test_scopes_collections_and_names"),
    ("`tf.layers` in `variable_scope(reuse=True)`: a network applied twice shares weights",
     "test_layers_reuse.py::test_train_and_test_towers_share_weights"),
    ("`static_rnn` with `sequence_length`, `static_bidirectional_rnn`, `cell.state_size`",
     "test_rnn.py::test_bidirectional_rnn_with_sequence_lengths_matches_the_definition"),
    ("Deprecated spellings (`arg_min`, `reduction_indices=`, `keep_dims=`, `tf.log`, `tf.mul`...) and shape helpers",
     "test_behaviours.py::test_deprecated_spellings_and_shape_helpers"),
    ("`tf.nn.dropout(x, keep_prob)` with keep_prob a placeholder fed 1.0 at test time",
     "test_mlp_cnn.py::test_mlp_with_dropout_learns"),
    ("`tf.data`: `from_tensor_slices`, `shuffle`, `repeat`, `batch`, `prefetch`, `map`, iterators, no feed_dict",
     "test_input_pipeline.py::test_dataset_pipeline_trains_a_classifier"),
    ("KMeans `training_graph()` 7-tuple, cosine distance, mini-batch",
     "test_clustering.py::test_kmeans_clusters_blobs_with_cosine_distance_in_mini_batches"),
    ("`nce_loss` with 6 positional arguments; `embedding_lookup` of `convert_to_tensor` of numpy ints",
     "test_word2vec.py::test_skip_gram_embeddings_group_words_of_the_same_topic"),
]
IMPORT_FORMS = ["graphc.contrib.rnn", "graphc.contrib.factorization", "graphc.contrib.layers", "graphc.data",
                "graphc.nn", "graphc.train", "graphc.layers", "graphc.summary",
                "graphc.examples.tutorials.mnist.input_data"]


def _symbols():
    with open(os.path.join(ROOT, "tests", "tf1_symbols.txt")) as f:
        return [(name, int(uses)) for name, uses in (line.split() for line in f if not line.startswith("#"))]


def _resolves(name):
    """Whether `graphc.X.Y` exists for `tf.X.Y` (attribute, or submodule import)."""
    parts = name.split(".")[1:]
    obj = importlib.import_module("graphc")
    for i, part in enumerate(parts):
        if hasattr(obj, part):
            obj = getattr(obj, part)
            continue
        try:
            obj = importlib.import_module("graphc." + ".".join(parts[:i + 1]))
        except ImportError:
            return False
    return True


def _programs():
    """Program file name -> its source."""
    return {os.path.basename(p): open(p).read() for p in sorted(glob.glob(os.path.join(PROGRAMS, "test_*.py")))}


def _users(name, programs):
    pattern = re.compile(re.escape(name) + r"(?![\w])")
    return [file for file, source in programs.items() if pattern.search(source)]


def _status(exists, users):
    if not exists:
        return "**missing**"
    return "works" if users else "exists (no program yet)"


def render():
    programs = _programs()
    users = {name: _users(name, programs) for name, _ in _symbols()}
    rows = [(name, uses, _status(_resolves(name), users[name]), users[name]) for name, uses in _symbols()]
    working = sum(status == "works" for _, _, status, _ in rows)
    intro = ("What classic TF1 programs use (shared survey of tutorial and example programs) and what graphc does "
             "with it. Generated by tests/test_tf1_compatibility.py, which imports every symbol and reads the "
             "TF1-style programs in tests/tf1_programs/; regenerate with `python -m tests.test_tf1_compatibility`.")
    lines = ["# TF1 compatibility", "", intro, "",
             f"{working} of {len(rows)} symbols work in a TF1 program that asserts its result.", "",
             "## Symbols", "",
             "| symbol | uses in the survey | status | programs using it |", "|---|---:|---|---|"]
    lines += [f"| `{name}` | {uses} | {status} | {', '.join(u[5:-3] for u in users)} |"
              for name, uses, status, users in rows]
    lines += ["", "## Behaviours", "", "| behaviour | shown by |", "|---|---|"]
    lines += [f"| {text} | `tests/tf1_programs/{test}` |" for text, test in BEHAVIOURS]
    forms = ", ".join(f"`{m}`" for m in IMPORT_FORMS)
    lines += ["", "## Import forms", "", f"These import as in TF1 with `graphc` in place of `tensorflow`: {forms}."]
    return "\n".join(lines) + "\n"


def test_the_compatibility_page_is_current():
    with open(DOC) as f:
        assert f.read() == render(), "docs/tf1-compatibility.md is stale: run `python -m tests.test_tf1_compatibility`"


def test_every_behaviour_names_a_test_that_exists():
    for _, reference in BEHAVIOURS:
        file, test = reference.split("::")
        module = importlib.import_module(f"tests.tf1_programs.{file[:-3]}")
        assert callable(getattr(module, test, None)), reference


def test_import_forms_work():
    for module in IMPORT_FORMS:
        importlib.import_module(module)
    from graphc.contrib import rnn  # noqa: F401
    from graphc.contrib.factorization import KMeans  # noqa: F401


if __name__ == "__main__":
    with open(DOC, "w") as f:
        f.write(render())
