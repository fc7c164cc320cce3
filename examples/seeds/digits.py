"""scikit-learn's bundled 8x8 digits (nothing downloaded), pixels scaled to [0, 1],
split into training and test sets: the data of the digit examples."""
import numpy as np


def load_digits(test_fraction=0.2, seed=0):
    """(train images, train labels, test images, test labels); images are [n, 8, 8, 1]."""
    from sklearn.datasets import load_digits as sklearn_digits
    digits = sklearn_digits()
    images = (digits.images / 16.0).astype(np.float32)[..., None]
    order = np.random.default_rng(seed).permutation(len(images))
    test = int(len(images) * test_fraction)
    return images[order[test:]], digits.target[order[test:]], images[order[:test]], digits.target[order[:test]]
