"""The seed networks' examples (examples/seeds/) run with fast settings, each
checked against what its seed document states. They run in this process, as
`python examples/seeds/<name> <args>` would run them (the script as __main__,
its folder on sys.path, these arguments), which spares a Python start and a
graphc import per example; one test runs a script as a subprocess."""
import contextlib
import io
import os
import re
import runpy
import sys

import numpy as np
import pytest

from tests.test_examples import ONE_THREAD, _numbers_after, run_example

SEEDS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "examples",
                     "seeds")


@pytest.fixture(autouse=True)
def one_thread(monkeypatch):
    for name, value in ONE_THREAD.items():
        monkeypatch.setenv(name, value)


def seed_example(name, *args):
    """What the example prints when run as a script with `args`."""
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
        patch.setattr(sys, "argv", [name, *args])
        patch.syspath_prepend(SEEDS)
        runpy.run_path(os.path.join(SEEDS, name), run_name="__main__")
    return out.getvalue()


def test_an_example_runs_as_a_script_and_takes_its_options():
    out = run_example("seeds/lstm_language_model.py", "--help")
    assert "--epochs EPOCHS" in out and "--num-steps NUM_STEPS" in out and "Creating the Keras LSTM" in out


def test_pooling_prints_the_seed_outputs():
    out = seed_example("pooling.py")
    assert "[[9. 7.]\n [8. 6.]]" in out
    assert "[[4.25 4.25]\n [4.25 3.5 ]]" in out
    assert "gm_output:  9.0" in out and "ga_output:  4.0625" in out


def test_shapes_of_the_seed_models():
    assert "(4, 26, 26, 26, 2)\ncomputed shape: (4, 26, 26, 26, 2)" in seed_example("conv3d_shape.py")
    assert "output_shape: (None, 32)" in seed_example("dense_output_shape.py")
    out = seed_example("sequential_dense.py")
    assert "y shape: (3, 4)" in out and "Total params: 33" in out  # 3*2+2 + 2*3+3 + 3*4+4
    values = np.array([float(v) for v in re.findall(r"-?\d+\.\d*(?:e-?\d+)?", out[:out.index("Model:")])])
    rows = values.reshape(3, 4)
    assert (rows == rows[0]).all()  # the same input row, the same output
    out = seed_example("custom_layer.py")
    assert "my_custom_layer (MyCustomLay (None, 32)                512" in out
    assert _numbers_after(r"max \|y - x @ kernel\|:", out) == [0.0]


def test_dropout_max_norm_classifier():
    out = seed_example("dropout_maxnorm.py", "--epochs", "15")
    assert len(re.findall(r"^Epoch \d+/15", out, re.M)) == 15
    assert _numbers_after("largest kernel column norm", out)[0] <= 3.0001
    assert _numbers_after("test accuracy", out)[0] >= 0.8


def test_cnn_on_the_digits():
    pytest.importorskip("sklearn")
    out = seed_example("cnn_digits.py", "--epochs", "12")
    assert "Total params: 6,470" in out  # conv 80 + conv 2,080 + dense 3,300 + dense 1,010
    assert _numbers_after("test accuracy", out)[0] >= 0.8


def test_bank_churn_confusion_matrix():
    out = seed_example("bank_churn.py", "--epochs", "40")
    matrix = np.array([int(v) for v in re.findall(r"\d+", out[out.rindex("[[") - 1:out.rindex("test accuracy")])])
    assert matrix.sum() == 500
    accuracy, baseline = _numbers_after("test accuracy", out)[0], float(re.search(r"stays': ([\d.]+)", out).group(1))
    assert accuracy == pytest.approx((matrix[0] + matrix[3]) / 500, abs=1e-4)
    assert accuracy > baseline  # better than predicting that nobody leaves


def test_autoencoder_reconstructs_digits():
    pytest.importorskip("sklearn")
    out = seed_example("autoencoder_digits.py", "--epochs", "20")
    error, baseline = re.search(r"test reconstruction mse ([\d.]+) \(mean image: ([\d.]+)\)", out).groups()
    assert float(error) < 0.5 * float(baseline)


def test_rbm_trained_by_contrastive_divergence():
    pytest.importorskip("sklearn")
    out = seed_example("rbm_digits.py", "--epochs", "5")
    errors = _numbers_after("reconstruction error", out)
    assert len(errors) == 6 and errors[-2] < errors[0]
    trained, untrained = re.search(r"test reconstruction error ([\d.]+) \(untrained: ([\d.]+)\)", out).groups()
    assert float(trained) < 0.5 * float(untrained)


def test_lstm_language_model():
    out = seed_example("lstm_language_model.py", "--epochs", "15", "--num-steps", "3")
    assert "lstm (LSTM)                  (None, 3, 32)             8320" in out  # 4 * (32 * (32 + 32) + 32)
    losses = _numbers_after("loss:", out)
    assert losses[-1] < losses[0]
    assert _numbers_after("next-word accuracy", out)[0] >= 0.5  # always "the", the commonest, scores 0.19
