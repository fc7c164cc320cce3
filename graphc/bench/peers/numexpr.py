"""numexpr: element-wise expressions compiled from strings. Its float
literals are float64 and would promote float32 arrays, so, as its users do
for float32 work, constants are passed as float32 variables."""
import numexpr
import numpy as np

from . import Column

EXPRESSIONS = {
    "W1 gelu": ("half * x * (1 + tanh(c * (x + k * x ** 3)))",
                {"half": np.float32(0.5), "c": np.float32(0.7978845608), "k": np.float32(0.044715)}),
    "W1 add": ("x + y", {}),
}


def _evaluate(case, inputs):
    expression, constants = EXPRESSIONS[case.key]
    variables = {**inputs, **constants}
    return lambda: numexpr.evaluate(expression, local_dict=variables)


def _softmax(case, inputs):
    """The element-wise parts in numexpr, the row reductions in numpy (numexpr's
    own reductions are single-threaded and slower)."""
    x = inputs["x"]

    def run():
        e = numexpr.evaluate("exp(x - m)", local_dict={"x": x, "m": x.max(axis=1, keepdims=True)})
        return numexpr.evaluate("e / s", local_dict={"e": e, "s": e.sum(axis=1, keepdims=True)})
    return run


def columns():
    return [Column("numexpr", "numexpr", f"numexpr {numexpr.__version__} ({numexpr.ncores} cores)",
                   {**dict.fromkeys(EXPRESSIONS, _evaluate), "W2 explicit": _softmax})]
