"""Tiny synthetic data sets the programs learn (no downloads)."""
import numpy as np


def blobs(rng, n_per_class=40, centres=((0.0, 3.0), (3.0, 0.0), (-3.0, -3.0)), spread=0.6):
    """Points around `centres` and their one-hot classes."""
    centres = np.asarray(centres, np.float32)
    x = np.concatenate([c + spread * rng.normal(size=(n_per_class, centres.shape[1])) for c in centres])
    labels = np.repeat(np.arange(len(centres)), n_per_class)
    return x.astype(np.float32), np.eye(len(centres), dtype=np.float32)[labels]


def bar_images(rng, n, size=8):
    """Images holding one noisy bright bar: class 0 horizontal, 1 vertical. Shape [n, size*size]."""
    labels = rng.integers(0, 2, n)
    images = 0.1 * rng.random((n, size, size))
    for image, label, k in zip(images, labels, rng.integers(1, size - 1, n)):
        if label:
            image[:, k] += 1.0
        else:
            image[k, :] += 1.0
    return images.reshape(n, -1).astype(np.float32), np.eye(2, dtype=np.float32)[labels]


def sequences(rng, n, steps=6):
    """Sequences of one feature whose class (one-hot) says whether they rise or fall."""
    labels = rng.integers(0, 2, n)
    slopes = np.where(labels == 1, 1.0, -1.0) * rng.uniform(0.2, 0.5, n)
    x = slopes[:, None] * np.arange(steps)[None] + 0.05 * rng.normal(size=(n, steps))
    return x[:, :, None].astype(np.float32), np.eye(2, dtype=np.float32)[labels]
