"""numpy: each case's reference implementation, timed as it is; a training
step is the case's hand-written `numpy_step` on a copy of the parameters."""
import functools

import numpy

from .. import workloads
from . import Column


def _reference(case, inputs):
    return functools.partial(case.numpy, **inputs)


def _step(case, inputs):
    params = {name: inputs[name].copy() for name in case.parameters}
    data = {name: value for name, value in inputs.items() if name not in params}
    run = functools.partial(case.numpy_step, params, **data)
    run.state = lambda: params
    return run


def _blas():
    """The BLAS numpy was built with: its matmul speed is W0's FLOP/s limit."""
    try:
        blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except (TypeError, KeyError):  # numpy < 1.26 only prints its configuration
        return "?"
    return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()


def columns():
    return [Column("numpy", "numpy", f"numpy {numpy.__version__} ({_blas()})",
                   {**{case.key: _reference for case in workloads.CASES if case.numpy_timed},
                    **{case.key: _step for case in workloads.CASES if case.numpy_step}})]
