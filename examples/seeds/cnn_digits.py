"""Seed: the Keras CNN: Conv2D(16, 2x2, relu), MaxPooling2D(2, strides 2),
Conv2D(32, 2x2, relu), MaxPooling2D(2), Flatten, Dense(100, relu),
Dense(num_classes, softmax). The seed's input is 128x128x3; here it is the
8x8 digits of scikit-learn (scaled to [0, 1]), 10 classes. Prints the summary,
each epoch and the test accuracy."""
import numpy as np

from graphc.keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
from graphc.keras.models import Sequential

from digits import load_digits
from run_options import parse_options

num_classes = 10

if __name__ == "__main__":
    args = parse_options(__doc__, epochs=10)
    x_train, y_train, x_test, y_test = load_digits()
    one_hot = np.eye(num_classes, dtype=np.float32)

    model = Sequential()
    input_shape = x_train.shape[1:]
    model.add(Conv2D(16, kernel_size=(2, 2), strides=(1, 1), activation="relu", input_shape=input_shape))
    model.add(MaxPooling2D(pool_size=(2, 2), strides=(2, 2)))
    model.add(Conv2D(32, kernel_size=(2, 2), activation="relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Flatten())
    model.add(Dense(100, activation="relu"))
    model.add(Dense(num_classes, activation="softmax"))
    model.summary()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, one_hot[y_train], batch_size=32, epochs=args.epochs, validation_data=(x_test, one_hot[y_test]))
    loss, accuracy = model.evaluate(x_test, one_hot[y_test], verbose=0)
    print(f"test accuracy {accuracy:.4f}")
