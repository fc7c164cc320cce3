"""Native functions the compiled code calls through pointers passed at run
time (never baked into the IR, so cached objects stay valid across processes):
the single- and double-precision GEMM of the OpenBLAS that numpy ships, and
its thread count (`openblas_set_num_threads_local`, OpenBLAS 0.3.27 and
later), and the state that guards it."""
import ctypes
import functools
import glob
import os

import numpy as np

# (symbol names to try, in order) per extern; numpy's wheels bundle scipy-openblas (ILP64).
_SYMBOLS = {
    "sgemm": ("scipy_cblas_sgemm64_", "cblas_sgemm64_", "cblas_sgemm"),
    "dgemm": ("scipy_cblas_dgemm64_", "cblas_dgemm64_", "cblas_dgemm"),
    "blas_threads": ("openblas_set_num_threads_local",),
}


@functools.lru_cache(maxsize=None)
def _blas_library():
    here = os.path.dirname(np.__file__)
    for pattern in ("../numpy.libs/libscipy_openblas*", "../numpy.libs/libopenblas*", ".libs/libopenblas*"):
        for path in glob.glob(os.path.join(here, pattern)):
            return ctypes.CDLL(path)
    return None


# The process-wide state of `lower.blas_guard`: a pthread mutex (zeroed: unlocked), then
# how many kernels hold OpenBLAS to one thread and the thread count to restore.
BLAS_GUARD = (ctypes.c_int64 * 10)()


@functools.lru_cache(maxsize=None)
def address(name):
    """The address of extern `name`; an error if numpy ships no usable BLAS."""
    if name == "blas_guard":
        return ctypes.addressof(BLAS_GUARD)
    library = _blas_library()
    for symbol in _SYMBOLS[name]:
        fn = getattr(library, symbol, None) if library is not None else None
        if fn is not None:
            return ctypes.cast(fn, ctypes.c_void_p).value
    raise RuntimeError(f"no {name} found in numpy's bundled BLAS")


def available(name):
    try:
        address(name)
        return True
    except RuntimeError:
        return False
