"""Seed: the bank-churn ANN: 11 inputs, Dense(6, relu) twice with the 'uniform'
initializer, Dense(1, sigmoid), adam and binary cross-entropy, batch_size 10;
then predictions above 0.5 and a confusion matrix. The seed's
Churn_Modelling.csv is not bundled: a synthetic churn-like set stands in (credit
score, geography one-hot, gender, age, tenure, balance, products, card, active,
salary; about 20% churn, driven mostly by age, activity and products).
Prints each epoch, the confusion matrix and the test accuracy."""
import numpy as np

from graphc.keras.layers import Dense
from graphc.keras.models import Sequential

from run_options import parse_options


def churn_like(n=2500, seed=0):
    rng = np.random.default_rng(seed)
    country = rng.choice(3, n, p=[0.5, 0.25, 0.25])
    columns = [rng.normal(650, 95, n), country == 1, country == 2, rng.integers(0, 2, n), rng.normal(39, 10, n),
               rng.integers(0, 11, n), np.where(rng.random(n) < 0.35, 0, rng.normal(1.2e5, 3e4, n)),
               rng.choice([1, 2, 3, 4], n, p=[0.5, 0.45, 0.03, 0.02]), rng.integers(0, 2, n), rng.integers(0, 2, n),
               rng.uniform(1e4, 2e5, n)]
    x = np.stack(columns, 1).astype(np.float64)
    age, products, active, germany = x[:, 4], x[:, 7], x[:, 9], x[:, 1]
    logit = -1.6 + 0.15 * (age - 39) - 1.5 * active + 1.0 * germany + 3.0 * (products >= 3) - 1.0 * (products == 2)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    return x, y


def confusion_matrix(y_true, y_pred):
    return np.array([[np.sum((y_true == a) & (y_pred == b)) for b in (0, 1)] for a in (0, 1)])


if __name__ == "__main__":
    args = parse_options(__doc__, epochs=20)
    X, y = churn_like()
    X_train, X_test, y_train, y_test = X[:2000], X[2000:], y[:2000], y[2000:]
    mean, std = X_train.mean(0), X_train.std(0)  # the seed's StandardScaler
    X_train, X_test = (X_train - mean) / std, (X_test - mean) / std

    classifier = Sequential()
    classifier.add(Dense(units=6, kernel_initializer="uniform", activation="relu", input_dim=11))
    classifier.add(Dense(units=6, kernel_initializer="uniform", activation="relu"))
    classifier.add(Dense(units=1, kernel_initializer="uniform", activation="sigmoid"))
    classifier.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    classifier.fit(X_train, y_train, batch_size=10, epochs=args.epochs)

    y_pred = classifier.predict(X_test)
    y_pred = (y_pred > 0.5)[:, 0]
    cm = confusion_matrix(y_test, y_pred)
    print(cm)
    print(f"test accuracy {np.trace(cm) / cm.sum():.4f} (always 'stays': {1 - y_test.mean():.4f})")
