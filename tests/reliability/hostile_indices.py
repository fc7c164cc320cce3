"""Run in a subprocess by test_memory_safety.py: every op that reads an index
from data, fed hostile indices (huge, negative, the int limits, NaN cast to
int), on both executors. Prints one JSON line per run: the result, or the
error class; a crash ends the process and the test sees it."""
import json
import sys

import numpy as np

import graphc as tf

HOSTILE = (4, -1, -7, 2 ** 31 - 1, -2 ** 31, 2 ** 31, 2 ** 40, 2 ** 63 - 1, -2 ** 63)


def graphs(index_dtype):
    """{name: (fetch, index placeholder)}: each op fed indices of `index_dtype`, 4 valid values (0..3)."""
    idx = tf.placeholder(index_dtype, [None], name="idx")
    table = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3), name="table")
    logits = tf.constant(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4))
    gathered = tf.gather(table, idx)
    return idx, {
        "gather": gathered,
        "gather axis 1": tf.gather(tf.transpose(table), idx, axis=1),
        "gather gradient (scatter-add)": tf.gradients(tf.reduce_sum(gathered), table)[0],
        "embedding_lookup": tf.nn.embedding_lookup(table, idx),
        "embedding_lookup of 2 shards": tf.nn.embedding_lookup([table, table], idx),
        "one_hot": tf.one_hot(idx, 4),
        "sparse labels": tf.nn.sparse_softmax_cross_entropy_with_logits(labels=idx, logits=logits),
        "unsorted_segment_sum": tf.unsorted_segment_sum(tf.ones([3, 2]), idx, 4),
        "in_top_k": tf.nn.in_top_k(logits, idx, 2),
    }


def main():
    out = []
    for index_dtype in (tf.int32, tf.int64):
        with tf.Graph().as_default():
            idx, fetches = graphs(index_dtype)
            for executor in ("reference", "llvm"):
                sess = tf.Session(executor=executor)
                sess.run(tf.global_variables_initializer())
                for name, fetch in fetches.items():
                    run = sess.make_callable(fetch, [idx])
                    for bad in HOSTILE:
                        if not np.iinfo(index_dtype.np).min <= bad <= np.iinfo(index_dtype.np).max:
                            continue
                        out.append(_outcome(run, np.array([0, bad, 1], index_dtype.np),
                                            name=name, dtype=index_dtype.name, executor=executor, index=bad))
    with tf.Graph().as_default():  # NaN and huge floats as indices, through a cast
        x = tf.placeholder(tf.float32, [None])
        y = tf.gather(tf.constant(np.arange(4.0, dtype=np.float32)), tf.cast(x, tf.int32))
        for executor in ("reference", "llvm"):
            run = tf.Session(executor=executor).make_callable(y, [x])
            for bad in (np.nan, np.inf, -np.inf, 1e30, -5.0):
                out.append(_outcome(run, np.array([1.0, bad], np.float32), name="gather of cast float",
                                    dtype="float32", executor=executor, index=repr(bad)))
    for record in out:
        print(json.dumps(record))
    print("ALIVE")


def _outcome(run, value, **record):
    try:
        record["result"] = np.asarray(run(value)).tolist()
    except tf.errors.OpError as error:
        record["error"] = type(error).__name__
    return record


if __name__ == "__main__":
    sys.exit(main())
