"""The JIT: compiled code runs and is vectorised, the object cache hits, rejects
bad entries and can be turned off, and GRAPHC_DUMP writes IR and assembly."""
import ctypes
import dataclasses
import os
import threading

import numpy as np
import pytest
from llvmlite import ir

from graphc.runtime import jit
from tests.runtime.kernels import add_elementwise_function


def square_module(name="square"):
    module = ir.Module(name)
    add_elementwise_function(module, "square", lambda b, x: b.fmul(x, x), np.float32, 1)
    return module


def run_square(compiled, x):
    out = np.empty_like(x)
    kernel = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)(compiled.address("square"))
    kernel(out.ctypes.data, x.ctypes.data, x.size)
    return out


def compile_and_count(module):
    """(compiled, change in jit.stats)."""
    before = dataclasses.replace(jit.stats)
    compiled = jit.compile_module(module, "square")
    after = jit.stats
    return compiled, {field: getattr(after, field) - getattr(before, field) for field in ("hits", "misses", "rejected")}


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "kernels"
    monkeypatch.setenv("GRAPHC_CACHE_DIR", str(directory))
    monkeypatch.delenv("GRAPHC_CACHE", raising=False)
    monkeypatch.delenv("GRAPHC_DUMP", raising=False)
    return directory


def test_compiled_kernel_runs_and_is_vectorised(cache_dir):
    compiled = jit.compile_module(square_module(), "square")
    x = np.linspace(-3, 3, 1001, dtype=np.float32)
    np.testing.assert_array_equal(run_square(compiled, x), x * x)
    assert compiled.unoptimised_ir == str(square_module())
    assert "vector.body" in compiled.llvm_ir
    assert "%ymm" in compiled.asm or "%zmm" in compiled.asm
    with pytest.raises(KeyError):
        compiled.address("missing")


def test_second_compile_hits_the_cache(cache_dir):
    first, counts = compile_and_count(square_module())
    assert counts == {"hits": 0, "misses": 1, "rejected": 0}
    assert len(list(cache_dir.glob("*.o"))) == 1
    second, counts = compile_and_count(square_module())
    assert counts == {"hits": 1, "misses": 0, "rejected": 0}
    x = np.arange(100, dtype=np.float32)
    np.testing.assert_array_equal(run_square(second, x), x * x)
    assert second.llvm_ir == first.llvm_ir


def _truncate(data):
    return data[:len(data) // 2]


def _flip_last_byte(data):
    return data[:-1] + bytes([data[-1] ^ 1])


def _other_key(data):
    return data[:8] + bytes(32) + data[40:]


@pytest.mark.parametrize("corrupt", [_truncate, _flip_last_byte, _other_key, lambda data: b""])
def test_corrupt_entry_is_rebuilt_not_loaded(cache_dir, corrupt):
    jit.compile_module(square_module(), "square")
    [entry] = cache_dir.glob("*.o")
    entry.write_bytes(corrupt(entry.read_bytes()))
    compiled, counts = compile_and_count(square_module())
    assert counts == {"hits": 0, "misses": 1, "rejected": 1}
    x = np.arange(50, dtype=np.float32)
    np.testing.assert_array_equal(run_square(compiled, x), x * x)
    _, counts = compile_and_count(square_module())
    assert counts["hits"] == 1


def test_cache_off_writes_nothing(cache_dir, monkeypatch):
    monkeypatch.setenv("GRAPHC_CACHE", "0")
    for _ in range(2):
        _, counts = compile_and_count(square_module())
        assert counts == {"hits": 0, "misses": 1, "rejected": 0}
    assert not cache_dir.exists()


def test_default_location_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("GRAPHC_CACHE_DIR", raising=False)
    monkeypatch.delenv("GRAPHC_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert jit.ObjectCache.from_environment().directory == os.path.join(tmp_path, "graphc", "kernels")


def test_embedded_addresses_are_not_cached(cache_dir):
    module = square_module()
    holder = ir.GlobalVariable(module, ir.IntType(8).as_pointer(), "baked_address")
    holder.initializer = ir.Constant(ir.IntType(64), 12345).inttoptr(ir.IntType(8).as_pointer())
    jit.compile_module(module, "square")
    assert not cache_dir.exists()


def test_dump_writes_ir_and_assembly(cache_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("GRAPHC_DUMP", str(tmp_path / "dump"))
    jit.compile_module(square_module(), "fused/square 1")
    ll, asm = (tmp_path / "dump" / "fused_square_1.ll"), (tmp_path / "dump" / "fused_square_1.s")
    assert "vector.body" in ll.read_text()
    assert "square:" in asm.read_text()


def test_concurrent_compiles(cache_dir):
    results = {}

    def compile_one(i):
        results[i] = jit.compile_module(square_module(f"square_{i}"), f"square_{i}")

    threads = [threading.Thread(target=compile_one, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    x = np.arange(10, dtype=np.float32)
    for compiled in results.values():
        np.testing.assert_array_equal(run_square(compiled, x), x * x)


def test_an_initialiser_compiles_quickly_and_a_training_step_fully():
    import graphc as tf
    weights = tf.Variable(tf.random_normal([64, 64], seed=1))
    x = tf.placeholder(tf.float32, [None, 64])
    step = tf.assign_sub(weights, 0.1 * tf.matmul(x, x, transpose_a=True))
    sess = tf.Session()
    init = sess.make_callable(tf.global_variables_initializer(), [])
    train = sess.make_callable(step, [x])
    init()
    before = sess.run(weights)
    data = np.ones((2, 64), np.float32)
    np.testing.assert_allclose(train(data), before - 0.1 * data.T @ data, rtol=1e-4, atol=1e-5)
    assert init.plan.compiled.run_once and not train.plan.compiled.run_once
