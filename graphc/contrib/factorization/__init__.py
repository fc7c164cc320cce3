"""`tf.contrib.factorization` (`from graphc.contrib.factorization import KMeans`)."""
from .kmeans import (  # noqa: F401
                     COSINE_DISTANCE,
                     KMEANS_PLUS_PLUS_INIT,
                     RANDOM_INIT,
                     SQUARED_EUCLIDEAN_DISTANCE,
                     KMeans,
)
