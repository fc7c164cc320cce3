"""Seed: an autoencoder, which "tries to predict x from x without the need for
any labels": 64 pixels -> 32 -> 16 -> 32 -> 64 (sigmoid), trained with mean
squared error on the 8x8 digits. Prints each epoch and the test reconstruction
error next to that of predicting the mean image."""
import numpy as np

from graphc import keras
from graphc.keras import layers

from digits import load_digits
from run_options import parse_options

if __name__ == "__main__":
    args = parse_options(__doc__, epochs=40)
    x_train, _, x_test, _ = load_digits()
    x_train, x_test = x_train.reshape(-1, 64), x_test.reshape(-1, 64)

    pixels = keras.Input(shape=(64,))
    code = layers.Dense(16, activation="relu")(layers.Dense(32, activation="relu")(pixels))
    reconstruction = layers.Dense(64, activation="sigmoid")(layers.Dense(32, activation="relu")(code))
    autoencoder = keras.Model(pixels, reconstruction)
    autoencoder.compile(optimizer="adam", loss="mse")
    autoencoder.fit(x_train, x_train, batch_size=32, epochs=args.epochs, validation_data=(x_test, x_test))

    error = autoencoder.evaluate(x_test, x_test, verbose=0)
    baseline = float(np.mean((x_test - x_train.mean(0)) ** 2))
    print(f"test reconstruction mse {error:.4f} (mean image: {baseline:.4f})")
