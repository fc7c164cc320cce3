"""The examples run as users run them (a subprocess each), their output checked."""
import os
import re
import subprocess
import sys

import pytest

from tests.idx_files import write_toy_mnist

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_example(name, *args, env=None):
    result = subprocess.run([sys.executable, os.path.join(ROOT, "examples", name), *args],
                            capture_output=True, text=True, timeout=300, cwd=ROOT, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr
    return result.stdout


def _numbers_after(label, text):
    return [float(v) for v in re.findall(rf"{label}\s+(-?[\d.]+)", text)]


def test_linear_regression_finds_w_3_b_2():
    out = run_example("linear_regression.py")
    losses = _numbers_after("loss", out)
    assert losses[-1] < 0.02 < losses[0]
    fitted = re.search(r"fitted W = ([\d.]+), b = ([\d.]+)", out)
    assert float(fitted.group(1)) == pytest.approx(3, abs=0.05)
    assert float(fitted.group(2)) == pytest.approx(2, abs=0.05)


def test_mnist_mlp_on_the_digits():
    pytest.importorskip("sklearn")
    out = run_example("mnist_mlp.py", "--epochs", "8")
    losses = _numbers_after("loss", out)
    assert len(losses) == 8 and losses[-1] < losses[0]
    assert _numbers_after("test accuracy", out)[0] >= 0.93


def test_mnist_mlp_reads_idx_files(tmp_path):
    write_toy_mnist(str(tmp_path), train=300, test=100)
    out = run_example("mnist_mlp.py", "--mnist-dir", str(tmp_path), "--epochs", "3", "--hidden", "32")
    assert "300 training and 100 test images of 784 pixels" in out
    assert _numbers_after("test accuracy", out)[0] >= 0.9


# The CNN's gemm and kernels on one thread each: the test workers already use the cores.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "GRAPHC_NUM_THREADS": "1"}


def test_mnist_cnn_on_the_digits():
    pytest.importorskip("sklearn")
    out = run_example("mnist_cnn.py", "--epochs", "3", env=ONE_THREAD)
    assert "1438 training and 359 test images of 28x28 pixels" in out
    losses = _numbers_after("loss", out)
    assert len(losses) == 3 and losses[-1] < losses[0]
    assert _numbers_after("test accuracy", out)[0] >= 0.97


def test_mnist_cnn_reads_idx_files(tmp_path):
    write_toy_mnist(str(tmp_path), train=200, test=50)
    out = run_example("mnist_cnn.py", "--mnist-dir", str(tmp_path), "--epochs", "2", env=ONE_THREAD)
    assert "200 training and 50 test images of 28x28 pixels" in out
    assert _numbers_after("test accuracy", out)[0] >= 0.9


def test_lstm_sequence_learns_to_predict_sine_waves():
    out = run_example("lstm_sequence.py", "--steps", "150", env=ONE_THREAD)
    losses = [float(v) for v in re.findall(r"step\s+\d+\s+loss ([\d.]+)", out)]
    assert len(losses) == 4 and losses[-1] < losses[0] / 10
    test_loss, _, repeating = [float(v) for v in re.findall(r"(?:test loss|zero:|value:) (-?[\d.]+)", out)]
    assert test_loss < repeating / 2  # it learned more than "the next value is about this one"
