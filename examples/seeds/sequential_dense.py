"""Seed: "Defining a Sequential model with three layers", called on tf.ones((3, 3)).
Prints the output (3 rows of 4) and the model's summary."""
import graphc as tf
from graphc import keras
from graphc.keras import layers

model = keras.Sequential([
    layers.Dense(2, activation="relu", name="layer1"),
    layers.Dense(3, activation="relu", name="layer2"),
    layers.Dense(4, name="layer3"),
])
x = tf.ones((3, 3))
y = model(x)
print("y shape:", tuple(y.shape.as_list()))
print(keras.backend.get_value(y))
model.summary()
