"""Seed: "Creating the Keras LSTM structure": Embedding(vocabulary, hidden_size,
input_length=num_steps), two LSTM(hidden_size, return_sequences=True),
Dropout(0.5), TimeDistributed(Dense(vocabulary)), Activation('softmax'),
trained to predict the next word of a small synthetic corpus (sentences from a
tiny grammar). Prints the summary, each epoch and the next-word accuracy."""
import numpy as np

from graphc.keras.layers import LSTM, Activation, Dense, Dropout, Embedding, TimeDistributed
from graphc.keras.models import Sequential

from run_options import parse_options

SUBJECTS, VERBS, OBJECTS = ["the cat", "a dog", "the bird"], ["sees", "chases", "likes"], ["the fish", "a ball"]


def corpus(sentences=300, seed=0):
    """Word ids of a stream of sentences 'subject verb object .' and the vocabulary."""
    rng = np.random.default_rng(seed)
    words = " ".join(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} ."
                     for _ in range(sentences)).split()
    vocabulary = sorted(set(words))
    return np.array([vocabulary.index(w) for w in words]), vocabulary


def windows(ids, num_steps):
    """(inputs, next-word targets): every window of num_steps words, shifted by one."""
    starts = np.arange(0, len(ids) - num_steps - 1, num_steps)
    return np.stack([ids[s:s + num_steps] for s in starts]), np.stack([ids[s + 1:s + num_steps + 1] for s in starts])


if __name__ == "__main__":
    args = parse_options(__doc__, epochs=15, num_steps=5)
    ids, words = corpus()
    vocabulary, hidden_size, num_steps, use_dropout = len(words), 32, args.num_steps, True
    x, y = windows(ids, num_steps)

    model = Sequential()
    model.add(Embedding(vocabulary, hidden_size, input_length=num_steps))
    model.add(LSTM(hidden_size, return_sequences=True))
    model.add(LSTM(hidden_size, return_sequences=True))
    if use_dropout:
        model.add(Dropout(0.5))
    model.add(TimeDistributed(Dense(vocabulary)))
    model.add(Activation("softmax"))
    model.summary()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x, y, batch_size=20, epochs=args.epochs)
    loss, accuracy = model.evaluate(x, y, verbose=0)
    print(f"next-word accuracy {accuracy:.4f} (a grammar of {vocabulary} words)")
