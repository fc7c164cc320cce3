"""Passes inside functions: the graphs of If branches and While bodies are
optimised by the same passes as the program holding them.

`run_inside_functions(program, pass_fn)` runs after each pass of the
pipeline: every Function an op of `program` holds becomes `pass_fn` (and,
recursively, this) applied to the function's graph as a Program (targets:
its outputs, feeds: its arguments). A Function held by several ops maps to
one new Function, so ops CSE could merge stay mergeable. The ops' attributes
are replaced in place: `program` is the fresh result of a pass, private to
this compilation.
"""
from graphc.func_graph import Function

from .program import Program


def run_inside_functions(program, pass_fn):
    done = {}

    def optimised(function):
        if function not in done:
            body = pass_fn(Program(function.graph, list(function.outputs), list(function.inputs)))
            body = run_inside_functions(body, pass_fn)
            done[function] = Function(function.name, body.graph, body.feeds, body.targets)
        return done[function]
    for op in program.ops():
        for key, value in op.attrs.items():
            if isinstance(value, Function):
                op.attrs[key] = optimised(value)
    return program

