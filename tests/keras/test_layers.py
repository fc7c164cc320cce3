"""tf.keras layers: parameter counts and outputs against hand and numpy computations."""
import numpy as np
import pytest

import graphc as tf
from graphc import keras
from graphc.keras import layers


def _summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return lines


@pytest.mark.parametrize("layer, input_shape, params, output_shape", [
    (lambda: layers.Dense(32), (16,), 16 * 32 + 32, (None, 32)),
    (lambda: layers.Conv2D(16, (2, 2)), (8, 8, 3), 2 * 2 * 3 * 16 + 16, (None, 7, 7, 16)),
    (lambda: layers.Conv3D(2, 3), (6, 6, 6, 1), 27 * 2 + 2, (None, 4, 4, 4, 2)),
    (lambda: layers.Embedding(50, 8), (5,), 400, (None, 5, 8)),
    (lambda: layers.LSTM(7, return_sequences=True), (4, 3), 4 * (7 * (3 + 7) + 7), (None, 4, 7)),
    (lambda: layers.GRU(5), (4, 3), 3 * (5 * (3 + 5) + 5), (None, 5)),
    (lambda: layers.SimpleRNN(6), (4, 3), 6 * (3 + 6) + 6, (None, 6)),
    (lambda: layers.Bidirectional(layers.LSTM(4, return_sequences=True)), (5, 3), 2 * 4 * (4 * 7 + 4), (None, 5, 8)),
    (lambda: layers.TimeDistributed(layers.Dense(9)), (5, 3), 3 * 9 + 9, (None, 5, 9)),
    (lambda: layers.BatchNormalization(), (6,), 4 * 6, (None, 6)),
    (lambda: layers.MaxPooling2D(), (6, 6, 2), 0, (None, 3, 3, 2)),
    (lambda: layers.GlobalAveragePooling2D(), (6, 6, 2), 0, (None, 2)),
    (lambda: layers.RepeatVector(3), (4,), 0, (None, 3, 4)),
    (lambda: layers.Permute((2, 1)), (4, 3), 0, (None, 3, 4)),
    (lambda: layers.Reshape((2, -1)), (6,), 0, (None, 2, 3)),
])
def test_parameter_counts_and_output_shapes(layer, input_shape, params, output_shape):
    model = keras.Sequential([keras.Input(shape=input_shape), layer()])
    assert model.count_params() == params
    assert model.output_shape == output_shape
    assert f"Total params: {params:,}" in _summary_lines(model)


def test_seed_models_summaries():
    model = keras.models.Sequential()
    model.add(keras.Input(shape=(16,)))
    model.add(layers.Dense(32, activation="relu"))
    model.add(layers.Dense(32))
    assert model.output_shape == (None, 32)
    lines = _summary_lines(model)
    assert [line.split()[-1] for line in lines if "(Dense)" in line] == ["544", "1056"]
    batch_norm = keras.Sequential([layers.BatchNormalization(input_shape=(5,))])
    assert "Non-trainable params: 10" in _summary_lines(batch_norm)


def test_sequential_forward_matches_numpy(rng):
    model = keras.Sequential([layers.Dense(2, activation="relu", name="layer1"),
                              layers.Dense(3, activation="sigmoid", name="layer2"), layers.Dense(4, name="layer3")])
    y = model(tf.ones((3, 3)))
    assert y.shape.as_list() == [3, 4]
    k1, b1, k2, b2, k3, b3 = model.get_weights()
    expected = np.ones((3, 3)) @ k1 + b1
    expected = 1 / (1 + np.exp(-(np.maximum(expected, 0) @ k2 + b2))) @ k3 + b3
    np.testing.assert_allclose(keras.backend.get_value(y), expected, rtol=1e-5, atol=1e-6)
    assert [w.name for w in model.weights][:2] == ["layer1/kernel:0", "layer1/bias:0"]


def test_simple_rnn_unrolls_the_cell(rng):
    x = rng.normal(size=(2, 4, 3)).astype(np.float32)
    model = keras.Sequential([layers.SimpleRNN(5, return_sequences=True, input_shape=(4, 3))])
    kernel, bias = model.get_weights()
    h, expected = np.zeros((2, 5)), []
    for t in range(4):
        h = np.tanh(np.concatenate([x[:, t], h], 1) @ kernel + bias)
        expected.append(h)
    np.testing.assert_allclose(model.predict(x), np.stack(expected, 1), rtol=1e-5, atol=1e-5)


def test_functional_model_with_merges_and_custom_layer(rng):
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.factor = self.add_weight("factor", (input_shape[1],), initializer="ones")

        def call(self, inputs):
            return inputs * self.factor

    a, b = keras.Input(shape=(3,)), keras.Input(shape=(3,))
    merged = layers.Concatenate()([layers.Add()([a, b]), layers.Multiply()([a, b]), Scale()(a)])
    model = keras.Model([a, b], layers.Activation("linear")(merged))
    assert model.output_shape == (None, 9)
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "InputLayer", "Add", "Multiply",
                                                              "Scale", "Concatenate", "Activation"]
    x1, x2 = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    np.testing.assert_allclose(model.predict([x1, x2]), np.concatenate([x1 + x2, x1 * x2, x1], 1), rtol=1e-5)
    assert model.count_params() == 3


def test_dropout_only_while_training():
    model = keras.Sequential([layers.Dropout(0.5, input_shape=(1000,))])
    x = np.ones((2, 1000), np.float32)
    np.testing.assert_array_equal(model.predict(x), x)
    training = keras.backend.get_session().run(model.outputs[0], {model.inputs[0]: x,
                                                                  keras.backend.learning_phase(): True})
    assert 0.4 < np.mean(training == 0) < 0.6


def test_bad_input_is_reported():
    with pytest.raises(ValueError, match="unknown activation 'rleu'"):
        layers.Dense(3, activation="rleu")
    with pytest.raises(ValueError, match="static time axis"):
        layers.LSTM(3)(tf.placeholder(tf.float32, [None, None, 2]))
    with pytest.raises(ValueError, match="has not been built"):
        keras.Sequential([layers.Dense(3)]).summary()
