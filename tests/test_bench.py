"""`graphc bench`: the command writes every cell, and a wrong result is
caught before it is timed. No timing is asserted: this machine is shared."""
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from graphc.bench import cnn, harness, lstm, mlp, peers, report, runner, workloads
from graphc.bench.peers import Column


def test_quick_bench_writes_every_cell(tmp_path):
    out = tmp_path / "out.json"
    command = [sys.executable, "-m", "graphc.cli", "bench", "--quick", "--only", "W1,W7",
               "--peers", "numpy", "--json", str(out)]  # peers other than numpy are optional
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert "| W1 gelu |" in done.stdout
    cells = json.loads(out.read_text())["cells"]
    expected = {(case.key, column) for case in runner.select(["W1", "W7"]) for column in ("graphc", "numpy")}
    assert {(cell["case"], cell["column"]) for cell in cells} == expected
    for cell in cells:
        assert cell["status"] == "ok", cell
        assert len(cell["samples_s"]) >= harness.QUICK.repeat
        for field in ("setup_s", "first_s", "median_s", "min_s", "max_s"):
            assert math.isfinite(cell[field]) and cell[field] >= 0, (field, cell)
        assert cell["min_s"] <= cell["median_s"] <= cell["max_s"]


def off_by_a_little(case, inputs):
    return lambda: inputs["x"] + inputs["y"] + np.float32(1e-2)


def test_wrong_result_is_not_timed():
    case = next(case for case in workloads.CASES if case.key == "W1 add")
    wrong = Column("wrong", "test", "0", {case.key: off_by_a_little})
    [cell] = runner.run([case], [wrong], harness.QUICK, quick=True)
    assert cell.status == "wrong" and cell.measurement is None
    assert "elements differ from numpy" in cell.message
    assert "FAIL wrong result" in report.progress(cell, 1, 1)


@pytest.mark.parametrize("result", [np.float64([1.0, 2.0]), np.float32([1.0]), np.float32([1.0, np.nan])],
                         ids=["dtype", "shape", "nan"])
def test_check_rejects(result):
    with pytest.raises(harness.WrongResult):
        harness.check(result, np.float32([1.0, 2.0]), (1e-4, 1e-5))


def test_absent_peer_is_skipped_with_a_note(monkeypatch):
    monkeypatch.setitem(peers.FAMILIES, "absent", "no_such_library")
    columns, notes = peers.load(["numpy", "absent"])
    assert [c.label for c in columns] == ["numpy"]
    assert notes and notes[0].startswith("absent: skipped")


TINY = harness.Budget(repeat=1, seconds=0.0, sample_seconds=0.0, max_samples=1)


def run_quick(workloads_ids, columns):
    return runner.run(runner.select(workloads_ids), columns, TINY, quick=True)


def test_new_workloads_match_numpy_in_graphc():
    """W2's softmaxes, W4's MLP step and W6's LSTM steps (dynamic_rnn and
    static_rnn) give numpy's results in graphc, on compiled code; a training
    step's update is checked as well as its loss."""
    numpy_column = peers.load(["numpy"])[0][0]
    cells = run_quick(["W2", "W4", "W6"], [workloads.GRAPHC, numpy_column])
    assert {cell.case.key for cell in cells} == {"W2 softmax", "W2 explicit", "W4 step", "W6 dynamic_rnn",
                                                 "W6 static_rnn"}
    for cell in cells:
        assert (cell.status, cell.message) == ("ok", ""), (cell.case.key, cell.column.label)
        assert not cell.notes, cell.notes  # no plan fell back to the reference executor


@pytest.mark.parametrize("family", ["jax", "torch"])
def test_peer_training_steps_match_numpy(family):
    """The peers' W4 and W6 steps start from the same weights as numpy and
    update them as numpy's step does (PyTorch's nn.LSTM gate order and bias
    split included); torch.compile is left out to keep this fast."""
    pytest.importorskip(family)
    columns = [c for c in peers.load([family])[0] if c.label != "torch.compile"]
    cells = run_quick(["W4", "W6"], columns)
    assert len(cells) == 2 * len(columns)
    for cell in cells:
        assert (cell.status, cell.message) == ("ok", ""), (cell.case.key, cell.column.label)


def settled(update, before, rate, share=0.995):
    """A function selecting the elements of each parameter that Adam's first
    step `update` moved by at least `share` of the learning rate. Adam moves
    by rate·g/(|g| + ε̂): ±rate whatever g's rounding once |g| is well above
    ε̂ (TF: 1e-8/sqrt(1 - 0.999), PyTorch: 1e-8), while near ε̂ (zero
    included) the rounding of a tiny gradient, and where each library puts
    ε, decide the step."""
    masks = {name: np.abs(value - before[name]) >= share * rate for name, value in update.items()}
    return lambda values: {name: np.asarray(values[name])[mask] for name, mask in masks.items()}


def test_cnn_steps_update_as_tensorflow_adam():
    """W5 has no numpy step: each column's W5 step (graphc's AdamOptimizer,
    the written-out Adam of TF XLA and JAX, PyTorch's optim.Adam on NCHW
    weights) moves the weights as TensorFlow's own AdamOptimizer (TF1 graph)
    does from the same weights, after giving numpy's loss. torch.compile runs
    the eager column's module and optimizer and is left out to keep this fast."""
    pytest.importorskip("tensorflow")
    columns = [c for c in peers.load(["tf", "jax", "torch"])[0] if c.label != "torch.compile"]
    [case] = runner.select(["W5"])
    inputs = case.inputs(np.random.default_rng(workloads.SEED), case.quick_size)
    states = {}
    for column in [workloads.GRAPHC] + columns:
        run = case.kernel(column)(case, inputs)
        harness.check(run(), np.asarray(case.numpy(**inputs)), case.tolerance)
        states[column.label] = run.state()
    assert {"graphc", "TF1 graph", "TF XLA"} <= set(states)
    before = {name: inputs[name] for name in case.parameters}
    tensorflow_adam = states.pop("TF1 graph")
    select = settled(tensorflow_adam, before, cnn.LEARNING_RATE)
    moved = sum(np.count_nonzero(tensorflow_adam[name] != before[name]) for name in before)
    assert sum(v.size for v in select(before).values()) > 0.9 * moved
    for label, state in states.items():
        try:
            harness.check_update(select(state), select(before), select(tensorflow_adam))
        except harness.WrongResult as wrong:
            pytest.fail(f"{label}: {wrong}")


def lazy_step(case, inputs):
    """The right loss, but parameters that never move."""
    params = {name: inputs[name].copy() for name in case.parameters}
    run = lambda: case.numpy(**inputs)
    run.state = lambda: params
    return run


def test_a_step_that_does_not_update_is_caught():
    [cell] = run_quick(["W4"], [Column("lazy", "test", "0", {"W4 step": lazy_step})])
    assert cell.status == "wrong" and cell.message.startswith("update of 'w0'"), cell.message


@pytest.mark.parametrize("model, size", [(mlp, 3), (lstm, (3, 2))], ids=["mlp", "lstm"])
def test_numpy_steps_follow_the_gradient(model, size):
    """The hand-written numpy steps, the oracle of W4 and W6, move each
    parameter by -learning_rate times the loss's central difference (float64)."""
    rng = np.random.default_rng(1)
    values = {name: value.astype(np.float64) for name, value in model.inputs(rng, size).items()}
    params = {name: values[name].copy() for name in model.PARAMETERS}
    data = {name: v for name, v in values.items() if name not in params}
    model.numpy_step(params, **data)

    def loss(name, where, shift):
        moved = {n: values[n].copy() for n in model.PARAMETERS}
        moved[name][where] += shift
        return model.numpy_step(moved, **data)
    for name in model.PARAMETERS:
        for where in [tuple(rng.integers(0, n) for n in values[name].shape) for _ in range(3)]:
            slope = (loss(name, where, 1e-6) - loss(name, where, -1e-6)) / 2e-6
            step = (values[name][where] - params[name][where]) / model.LEARNING_RATE
            assert step == pytest.approx(slope, rel=1e-4, abs=1e-9), (name, where)
