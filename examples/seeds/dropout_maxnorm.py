"""Seed: "dropout in the input layer with weight constraint": Dropout(0.2) on 60
inputs, Dense 60 and 30 (relu, max_norm(3)), a sigmoid output, SGD(lr=0.1,
momentum=0.9), binary cross-entropy. The data is a synthetic stand-in for the
sonar set the seed uses: 208 examples of 60 features, two classes. Prints the
progress of each epoch and the test accuracy."""
import numpy as np

from graphc.keras.constraints import maxnorm
from graphc.keras.layers import Dense, Dropout
from graphc.keras.models import Sequential
from graphc.keras.optimizers import SGD

from run_options import parse_options


def create_model():
    model = Sequential()
    model.add(Dropout(0.2, input_shape=(60,)))
    model.add(Dense(60, activation="relu", kernel_constraint=maxnorm(3)))
    model.add(Dense(30, activation="relu", kernel_constraint=maxnorm(3)))
    model.add(Dense(1, activation="sigmoid"))
    sgd = SGD(lr=0.1, momentum=0.9)
    model.compile(loss="binary_crossentropy", optimizer=sgd, metrics=["accuracy"])
    return model


def sonar_like(n=208, seed=0):
    """Two classes of 60 'frequency band' energies differing in a smooth band profile."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    bands = np.linspace(0, 1, 60)
    profile = np.where(labels[:, None] == 1, np.sin(np.pi * bands), np.cos(np.pi * bands / 2))
    return (0.5 * profile + rng.normal(scale=0.35, size=(n, 60))).astype(np.float32), labels.astype(np.float32)


if __name__ == "__main__":
    args = parse_options(__doc__, epochs=30)
    x, y = sonar_like()
    model = create_model()
    model.fit(x[:160], y[:160], batch_size=16, epochs=args.epochs)
    loss, accuracy = model.evaluate(x[160:], y[160:], verbose=0)
    kernel_norms = np.linalg.norm(model.get_weights()[0], axis=0)
    print(f"largest kernel column norm {kernel_norms.max():.4f} (max_norm 3)")
    print(f"test accuracy {accuracy:.4f}")
