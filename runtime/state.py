"""What a Session owns between runs: variable buffers, random-op run counters
and host resources (dataset iterators).

Both executors keep variables here as numpy arrays, so switching executors (or
compiling a new plan after the graph grew) sees the same values.
"""
import threading

import numpy as np

from graphc.errors import FailedPreconditionError, InvalidArgumentError


class SessionState:
    def __init__(self):
        self.variables = {}
        self.run_numbers = {}
        self.resources = {}  # host objects of stateful ops, by name (dataset iterators)
        self.lock = threading.RLock()

    def read_variable(self, name, op=None):
        try:
            return self.variables[name]
        except KeyError:
            from graphc.errors import op_error
            raise op_error(FailedPreconditionError, op,
                           f"Attempting to use uninitialized value {name}") from None

    def assign_variable(self, name, value, dtype, static_shape, validate_shape=True):
        value = np.array(value, dtype=dtype.np, copy=True)
        if validate_shape and not static_shape.is_compatible_with(value.shape):
            raise InvalidArgumentError(None, None, f"cannot assign a value of shape {value.shape} to "
                                       f"variable {name} of shape {static_shape}")
        self.variables[name] = value
        return value

    def next_run_number(self, name):
        number = self.run_numbers.get(name, 0)
        self.run_numbers[name] = number + 1
        return number
