"""Seed: max, average, global-max and global-average pooling of one 4x4 image,
each a Sequential model of one pooling layer. Prints the seed's outputs:
[[9. 7.] [8. 6.]], [[4.25 4.25] [4.25 3.5]], 9.0 and 4.0625."""
import numpy as np

from graphc.keras.layers import AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D
from graphc.keras.models import Sequential

image = np.array([[2, 2, 7, 3],
                  [9, 4, 6, 1],
                  [8, 5, 2, 4],
                  [3, 1, 2, 6]])
image = image.reshape(1, 4, 4, 1)

model = Sequential([MaxPooling2D(pool_size=2, strides=2)])
print("max pooling:")
print(np.squeeze(model.predict(image)))

model = Sequential([AveragePooling2D(pool_size=2, strides=2)])
print("average pooling:")
print(np.squeeze(model.predict(image)))

gm_model = Sequential([GlobalMaxPooling2D()])
ga_model = Sequential([GlobalAveragePooling2D()])
print("gm_output: ", np.squeeze(gm_model.predict(image)))
print("ga_output: ", np.squeeze(ga_model.predict(image)))
