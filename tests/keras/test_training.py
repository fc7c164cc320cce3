"""compile/fit/evaluate/predict, callbacks and saved weights."""
import csv

import numpy as np
import pytest

from graphc import keras
from graphc.keras import callbacks, constraints, layers, optimizers


def _separable(rng, n=150):
    """Two classes split by x0 + 2 x1 = 0, with a margin of 0.3 around the line."""
    x = rng.normal(size=(4 * n, 2)).astype(np.float32)
    score = x[:, 0] + 2 * x[:, 1]
    x = x[np.abs(score) > 0.3][:n]
    return x, (x[:, 0] + 2 * x[:, 1] > 0).astype(np.float32)


def _classifier(**dense):
    model = keras.Sequential([layers.Dense(1, activation="sigmoid", input_dim=2, **dense)])
    model.compile(optimizer=optimizers.Adam(0.1), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_fit_separates_linearly_separable_classes(rng, capfd, monkeypatch):
    x, y = _separable(rng, 150)
    model = _classifier()
    monkeypatch.setenv("GRAPHC_LOG_COMPILES", "1")
    history = model.fit(x, y, batch_size=32, epochs=60, verbose=0)  # 150 = 4 * 32 + 22: a smaller last batch
    compiles = capfd.readouterr().err.count("graphc: compiling")
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy == 1.0
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert len(history.history["accuracy"]) == 60
    predictions = model.predict(x)
    assert predictions.shape == (len(x), 1)
    np.testing.assert_array_equal(predictions[:, 0] > 0.5, y == 1)
    # variable checks and initialisation, then one training callable: not one per batch size
    assert compiles <= 3


def test_evaluate_matches_numpy_losses(rng):
    x = rng.normal(size=(10, 3)).astype(np.float32)
    y = rng.uniform(size=(10, 2)).astype(np.float32)
    model = keras.Sequential([layers.Dense(2, activation="sigmoid", input_shape=(3,))])
    model.compile("sgd", loss="mse", metrics=["mae", "binary_crossentropy"])
    p = 1 / (1 + np.exp(-(x @ model.get_weights()[0] + model.get_weights()[1])))
    mse, mae, bce = model.evaluate(x, y, batch_size=4, verbose=0)
    np.testing.assert_allclose(mse, np.mean((p - y) ** 2), rtol=1e-5)
    np.testing.assert_allclose(mae, np.mean(np.abs(p - y)), rtol=1e-5)
    np.testing.assert_allclose(bce, -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), rtol=1e-4)


def test_sparse_labels_and_categorical_accuracy(rng):
    x = rng.normal(size=(60, 4)).astype(np.float32)
    labels = np.argmax(x[:, :3], axis=1)
    model = keras.Sequential([layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile(optimizers.Adam(0.1), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, labels, epochs=80, batch_size=60, verbose=0)
    accuracy = model.evaluate(x, labels, verbose=0)[1]
    assert accuracy == np.mean(np.argmax(model.predict(x), 1) == labels) > 0.9


def test_early_stopping_stops_when_validation_loss_stops_improving(rng):
    x, y = _separable(rng, 40)
    model = keras.Sequential([layers.Dense(1, activation="sigmoid", input_dim=2)])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss="binary_crossentropy")  # nothing changes
    history = model.fit(x, y, epochs=20, validation_split=0.25, verbose=0,
                        callbacks=[callbacks.EarlyStopping(patience=2)])
    assert history.epoch == [0, 1, 2]  # the best epoch, then `patience` epochs without improvement


def test_early_stopping_counts_epochs_since_the_best():
    class Model:
        stop_training = False
    stopper = callbacks.EarlyStopping(monitor="val_loss", patience=2)
    stopper.set_model(Model())
    stopper.on_train_begin()
    for epoch, loss in enumerate([1.0, 0.8, 0.9, 0.7, 0.75, 0.71, 0.9]):
        stopper.on_epoch_end(epoch, {"val_loss": loss})
        if stopper.model.stop_training:
            break
    assert stopper.stopped_epoch == 5 and stopper.best == 0.7


def test_weights_round_trip_and_checkpoint_callbacks(rng, tmp_path):
    x, y = _separable(rng, 40)
    model = _classifier()
    log = tmp_path / "log.csv"
    seen = []
    model.fit(x, y, epochs=3, verbose=0, validation_data=(x, y), callbacks=[
        callbacks.ModelCheckpoint(str(tmp_path / "model.{epoch:02d}-{val_loss:.2f}.h5")),
        callbacks.CSVLogger(str(log)), callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))])
    assert seen == [0, 1, 2]
    saved = sorted(p.name for p in tmp_path.glob("model.*.index"))
    assert len(saved) == 3 and saved[0].startswith("model.01-")
    rows = list(csv.DictReader(open(log)))
    assert [row["epoch"] for row in rows] == ["0", "1", "2"] and "val_accuracy" in rows[0]

    model.save_weights(str(tmp_path / "weights"))
    expected = model.predict(x)
    other = _classifier()  # a second model of the same layers: other names, same order
    assert not np.allclose(other.predict(x), expected)
    other.load_weights(str(tmp_path / "weights"))
    np.testing.assert_array_equal(other.predict(x), expected)
    model.set_weights([np.zeros((2, 1)), np.zeros(1)])
    np.testing.assert_array_equal(model.predict(x), 0.5)


def test_max_norm_constraint_holds_after_training(rng):
    x = rng.normal(size=(64, 6)).astype(np.float32) * 10
    model = keras.Sequential([layers.Dropout(0.2, input_shape=(6,)),
                              layers.Dense(4, activation="relu", kernel_constraint=constraints.max_norm(0.5)),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=optimizers.SGD(lr=1.0, momentum=0.9), metrics=["accuracy"])
    model.fit(x, (x[:, 0] > 0).astype(np.float32), epochs=3, verbose=0)
    kernel = model.get_weights()[0]
    assert np.all(np.linalg.norm(kernel, axis=0) <= 0.5 + 1e-5)


def test_compile_rejects_unknown_names_and_mismatched_targets(rng):
    model = keras.Sequential([layers.Dense(1, input_dim=2)])
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'"):
        model.compile("adamm", "mse")
    with pytest.raises(ValueError, match="unknown loss 'mse2'"):
        model.compile("adam", "mse2")
        model.fit(np.zeros((4, 2)), np.zeros(4), verbose=0)
    model.compile("adam", "mse")
    with pytest.raises(ValueError, match=r"expected dense.* to have shape \(None, 1\)"):
        model.fit(np.zeros((4, 2)), np.zeros((4, 3)), verbose=0)
