"""Seed: a Conv3D of 2 filters of 3x3x3 over a batch of 4 single-channel
28x28x28 volumes: prints (4, 26, 26, 26, 2), and runs it once."""
import graphc as tf
from graphc import keras

input_shape = (4, 28, 28, 28, 1)
x = tf.random_normal(input_shape)
y = tf.keras.layers.Conv3D(2, 3, activation="relu", input_shape=input_shape[1:])(x)
print(y.shape)
print("computed shape:", keras.backend.get_value(y).shape)
