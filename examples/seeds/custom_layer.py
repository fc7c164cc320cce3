"""Seed: the custom layer `MyCustomLayer` (build/add_weight/call with K.dot),
used in a model: prints its summary and checks its output is x @ kernel."""
import numpy as np

from graphc.keras import backend as K
from graphc.keras.layers import Layer
from graphc.keras.models import Sequential


class MyCustomLayer(Layer):
    def __init__(self, output_dim, **kwargs):
        self.output_dim = output_dim
        super(MyCustomLayer, self).__init__(**kwargs)

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[1], self.output_dim),
                                      initializer="normal", trainable=True)
        super(MyCustomLayer, self).build(input_shape)  # Be sure to call this at the end

    def call(self, input_data):
        return K.dot(input_data, self.kernel)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)


model = Sequential([MyCustomLayer(32, input_shape=(16,))])
model.summary()
x = np.random.default_rng(0).normal(size=(5, 16)).astype(np.float32)
y = model.predict(x)
print("output shape:", y.shape)
print("max |y - x @ kernel|:", float(np.abs(y - x @ model.get_weights()[0]).max()))
