"""Holding OpenBLAS to one thread while graphc's threads split a GEMM.

OpenBLAS's thread count is one process-wide setting (even its
`openblas_set_num_threads_local`, in the pthreads builds numpy ships), so
setting it around each GEMM call from several threads races: one thread's
restore can leave numpy single-threaded for the rest of the process. Instead
the calling thread of a split kernel takes a process-wide hold: the first
holder saves the count and sets 1, the last one out restores it, under a
mutex in the `blas_guard` extern's state (`externs.BLAS_GUARD`)."""
import contextlib

from llvmlite import ir

from .parallel import declare
from .types import I32, I64, PTR, i64

_MUTEX_WORDS = 8  # words of the state before the hold count (glibc's mutex is 40 bytes)
_ENTER, _EXIT = "graphc.blas_hold", "graphc.blas_release"
SET_THREADS = ir.FunctionType(I32, [I32])  # int openblas_set_num_threads_local(int): the previous count


@contextlib.contextmanager
def single_threaded_blas(builder, state, set_threads):
    """Emit code that holds OpenBLAS to one thread around what the body emits."""
    builder.call(_function(builder.module, _ENTER, _emit_enter), [state, set_threads])
    yield
    builder.call(_function(builder.module, _EXIT, _emit_exit), [state, set_threads])


def _function(module, name, emit):
    existing = module.globals.get(name)
    if existing is not None:
        return existing
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [PTR, SET_THREADS.as_pointer()]), name)
    fn.linkage = "internal"
    builder = ir.IRBuilder(fn.append_basic_block("entry"))
    state, set_threads = fn.args
    mutex_type = ir.FunctionType(I32, [PTR])
    builder.call(declare(module, "pthread_mutex_lock", mutex_type), [state])
    count = builder.gep(state, [i64(_MUTEX_WORDS)], source_etype=I64)
    saved = builder.gep(state, [i64(_MUTEX_WORDS + 1)], source_etype=I64)
    emit(builder, count, saved, set_threads)
    builder.call(declare(module, "pthread_mutex_unlock", mutex_type), [state])
    builder.ret_void()
    return fn


def _emit_enter(builder, count, saved, set_threads):
    held = builder.load(count, typ=I64)
    with builder.if_then(builder.icmp_signed("==", held, i64(0))):
        previous = builder.call(set_threads, [ir.Constant(I32, 1)])
        builder.store(builder.sext(previous, I64), saved)
    builder.store(builder.add(held, i64(1)), count)


def _emit_exit(builder, count, saved, set_threads):
    held = builder.sub(builder.load(count, typ=I64), i64(1))
    builder.store(held, count)
    with builder.if_then(builder.icmp_signed("==", held, i64(0))):
        builder.call(set_threads, [builder.trunc(builder.load(saved, typ=I64), I32)])
