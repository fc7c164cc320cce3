import numpy as np
import pytest

import graphc as tf


@pytest.fixture(autouse=True)
def seeded_graph(fresh_default_graph):
    """Each test's graph has seed 0 (a test may set its own) and numpy's global
    generator (Keras's shuffling) starts from 0, so random ops and shuffles
    draw the same values on every run, whichever tests ran before."""
    tf.set_random_seed(0)
    np.random.seed(0)
