"""Kernels split over threads give the same bits as one thread; the thread
count comes from ConfigProto or GRAPHC_NUM_THREADS; compilations are logged."""
import numpy as np

import graphc as tf


def _gelu_and_row_sums(x):
    gelu = 0.5 * x * (1 + tf.tanh(0.7978845608 * (x + 0.044715 * x ** 3)))
    weights = tf.constant(np.random.default_rng(1).standard_normal((1024, 64)).astype(np.float32))
    # products whose rows graphc splits over its threads, plain, transposed and with an epilogue
    products = [tf.matmul(x, weights), tf.matmul(x, x, transpose_a=True), tf.nn.relu(tf.matmul(gelu, weights) + 1.0)]
    return [gelu, tf.reduce_sum(gelu, axis=1), tf.reduce_max(x, axis=1), tf.nn.softmax(gelu)] + products


def test_results_are_bitwise_identical_for_any_thread_count():
    x = tf.placeholder(tf.float32, [None, 1024])
    fetches = _gelu_and_row_sums(x)
    data = np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32)  # above the split threshold
    results = []
    for threads in (1, 2, 3):
        sess = tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=threads))
        assert sess.threads == threads
        results.append(sess.run(fetches, {x: data}))
    for other in results[1:]:
        for a, b in zip(results[0], other):
            assert a.tobytes() == b.tobytes()
    np.testing.assert_allclose(results[0][5], data.T @ data, rtol=1e-4, atol=1e-3)


def test_thread_count_sources(monkeypatch):
    monkeypatch.setenv("GRAPHC_NUM_THREADS", "1")
    assert tf.Session().threads == 1
    assert tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=2)).threads == 2


def test_compilations_are_logged_with_what_changed(monkeypatch, capfd):
    monkeypatch.setenv("GRAPHC_LOG_COMPILES", "1")
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    doubled = x * 2.0
    y = tf.reduce_sum(doubled, name="y")
    sess = tf.Session()
    sess.run(y, {x: np.ones((3, 2))})
    sess.run(y, {x: np.ones((5, 2))})  # a new batch size: no compilation
    sess.run(y, {doubled: np.ones((3, 2))})  # another fed tensor
    lines = [line for line in capfd.readouterr().err.splitlines() if line.startswith("graphc: compiling")]
    assert len(lines) == 2
    assert "first time" in lines[0] and "fed tensors changed" in lines[1]


def _openblas_threads():
    """numpy's OpenBLAS thread count getter and setter (None where it has none)."""
    from graphc.runtime import externs
    library = externs._blas_library()
    for suffix in ("64_", ""):
        get = getattr(library, f"scipy_openblas_get_num_threads{suffix}", None) if library else None
        put = getattr(library, f"scipy_openblas_set_num_threads{suffix}", None) if library else None
        if get is not None and put is not None:
            return get, put
    return None, None


def test_split_products_leave_numpys_blas_thread_count_alone():
    """OpenBLAS's thread count is process-wide: graphc holds it to one thread
    while its own threads split a product, and gives it back after, even when
    several sessions run at once (a racy restore once left numpy single-threaded)."""
    import threading
    get, put = _openblas_threads()
    assert get is not None, "numpy's bundled OpenBLAS exposes its thread count"
    put(2)
    x = tf.placeholder(tf.float32, [None, 512])
    product = tf.matmul(x, tf.constant(np.ones((512, 512), np.float32)))
    data = np.ones((512, 512), np.float32)
    sessions = [tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=2)) for _ in range(4)]
    sessions[0].run(product, {x: data})
    assert get() == 2
    errors = []

    def runs(sess):
        try:
            for _ in range(20):
                np.testing.assert_allclose(sess.run(product, {x: data}), 512.0)
        except AssertionError as error:
            errors.append(error)
    workers = [threading.Thread(target=runs, args=(sess,)) for sess in sessions]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors
    assert get() == 2
