"""Run in a subprocess by test_resources.py (and by hand for the long version,
see docs/reliability.md): how much RSS grows over many runs, compilations of
new shapes (object-cache misses: LLVM optimises and generates code) and
recompilations of known shapes (cache hits: code loaded into a new engine),
each measured after a warm-up. Prints one JSON object.

Arguments: runs, misses, hits."""
import gc
import json
import os
import sys

import numpy as np

import graphc as tf
from graphc.runtime import jit

WARM_UP = {"runs": 1000, "misses": 10, "hits": 30}


def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def compile_and_run(rows):
    """A fresh graph and Session with a static shape: a compilation of its own."""
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [rows, 3])
        y = tf.tanh(x) * 2.0 + tf.reduce_sum(x)
        tf.Session().run(y, {x: np.ones((rows, 3), np.float32)})


def growth_mib(step, warm_up, count):
    """RSS growth over `count` calls of `step(i)`, after `warm_up` calls."""
    for i in range(warm_up):
        step(i)
    gc.collect()
    before = rss_mib()
    for i in range(warm_up, warm_up + count):
        step(i)
    gc.collect()
    return rss_mib() - before


def main(runs, misses, hits):
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.tanh(x) * 2.0 + 1.0
    sess = tf.Session()
    fn = sess.make_callable(y, [x])
    feed = np.ones((3, 4), np.float32)
    result = {"runs": runs, "run_growth_mib": growth_mib(
        lambda i: fn(feed) if i % 2 else sess.run(y, {x: feed}), WARM_UP["runs"], runs)}
    before = jit.stats.misses
    result["miss_growth_mib"] = growth_mib(lambda i: compile_and_run(1 + i), WARM_UP["misses"], misses)
    result["misses"] = jit.stats.misses - before
    before = jit.stats.hits
    result["hit_growth_mib"] = growth_mib(lambda i: compile_and_run(1 + i % misses), WARM_UP["hits"], hits)
    result["hits"] = jit.stats.hits - before
    print(json.dumps(result))


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:4]))
