"""Seed: "Create a Sequential model and add a Dense layer as the first layer":
inputs of shape (None, 16), outputs of shape (None, 32)."""
import graphc as tf

model = tf.keras.models.Sequential()
model.add(tf.keras.Input(shape=(16,)))
model.add(tf.keras.layers.Dense(32, activation="relu"))
# After the first layer, the size of the input is not needed any more:
model.add(tf.keras.layers.Dense(32))
print("output_shape:", model.output_shape)
