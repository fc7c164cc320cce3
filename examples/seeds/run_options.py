"""The command line of the seed examples (`--epochs`, and any other integer
options an example names) and the seeding that makes each run repeat exactly:
graphc's graph-level seed and numpy's global one, both 0."""
import argparse

import numpy as np

import graphc as tf


def parse_options(description, epochs, **more):
    """The parsed options: `--epochs` (default `epochs`) and `--name-with-dashes`
    for each integer default in `more`; seeds are set once they are parsed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=int, default=epochs)
    for name, default in more.items():
        parser.add_argument("--" + name.replace("_", "-"), type=int, default=default)
    options = parser.parse_args()
    tf.set_random_seed(0)
    np.random.seed(0)
    return options
