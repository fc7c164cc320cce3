"""A Python function of tensors traced once into graph ops, as TF1 traces a
`Dataset.map` function: it is called on placeholders in a private graph, and
each element then runs through that graph in a private Session."""
from .. import graph as graph_lib
from ..ops.building import convert_to_tensor
from ..ops.inputs import placeholder
from . import structure as nest


class TracedFunction:
    def __init__(self, fn, input_spec, spec_type):
        self.graph = graph_lib.Graph()
        name = getattr(fn, "__name__", type(fn).__name__)
        with self.graph.as_default():
            self.inputs = [placeholder(s.dtype, s.shape, name="arg") for s in nest.flatten(input_spec)]
            args = nest.pack(input_spec, self.inputs)
            try:
                result = fn(*args) if type(args) is tuple else fn(args)
                self.outputs = [convert_to_tensor(v) for v in nest.flatten(result)]
            except ValueError as error:
                if "belongs to another graph" not in str(error):
                    raise
                raise ValueError(f"Dataset.map: the function '{name}' uses a tensor of the user's graph ({error}); "
                                 "a map function may use only its arguments and the ops it creates") from None
        self.output_spec = nest.pack(result, [spec_type(t.dtype, t.shape) for t in self.outputs])

    def callable(self):
        """A function of one flat element (arrays) returning the flat result."""
        from ..session import Session
        return Session(graph=self.graph).make_callable(self.outputs, self.inputs)
