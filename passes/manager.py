"""The pass pipeline: named Program -> Program functions run in order, each
timed and counted (`PassRecord`) and its result verified (`verify`), any of
them switchable off by name: `Session(passes=...)`, `GRAPHC_DISABLE_PASSES=a,b`,
or TF1's `ConfigProto(graph_options=GraphOptions(optimizer_options=...))`.
`GRAPHC_DUMP=DIR` writes the Program after every pass (`dump`)."""
import os
import time
from typing import NamedTuple

from graphc.config import OptimizerOptions

from .constant_fold import constant_fold
from .cse import cse
from .dump import Dump
from .expand import expand_composites
from .functions import run_inside_functions
from .fuse import fuse_elementwise
from .fuse_reductions import fuse_reductions
from .fuse_updates import fuse_updates
from .join_products import join_summed_products
from .prune import prune
from .simplify import simplify
from .slice_products import slice_products
from .stabilize import stabilize
from .symbolic_dims import drop_unit_reductions
from .verify import verify


class PassRecord(NamedTuple):
    name: str
    ops_before: int
    ops_after: int
    seconds: float


# The default pipeline, in order.
PIPELINE = (
    ("prune", prune),
    ("constant_fold", constant_fold),
    ("stabilize", stabilize),
    ("simplify", simplify),
    ("cse", cse),
    ("drop_unit_reductions", drop_unit_reductions),
    ("join_summed_products", join_summed_products),
    ("expand_composites", expand_composites),
    ("slice_products", slice_products),  # after expansion: a Split is StridedSlices then
    ("fuse_updates", fuse_updates),
    ("fuse_reductions", fuse_reductions),
    ("fuse", fuse_elementwise),
)
PASS_NAMES = tuple(name for name, _ in PIPELINE)


# TF1's OptimizerOptions switches: the passes each one turns off when False.
OPTION_PASSES = {
    "do_common_subexpression_elimination": ("cse",),
    "do_constant_folding": ("constant_fold",),
}
# What opt_level=L0 turns off: the rewrites that change how a value is computed
# (TF1's L0 means "no optimisations"); the passes an executor needs stay.
L0_OFF = ("constant_fold", "stabilize", "simplify", "cse", "drop_unit_reductions", "join_summed_products",
          "slice_products")


def select(names=None, config=None):
    """The passes to run: `names` (None = all), minus those a `tf.ConfigProto`'s
    optimizer options and GRAPHC_DISABLE_PASSES turn off."""
    wanted = PASS_NAMES if names is None else tuple(names)
    unknown = sorted(set(wanted) - set(PASS_NAMES))
    if unknown:
        raise ValueError(f"unknown passes {unknown}; the pipeline has {list(PASS_NAMES)}")
    disabled = {n.strip() for n in os.environ.get("GRAPHC_DISABLE_PASSES", "").split(",") if n.strip()}
    disabled |= _turned_off_by(config)
    return [name for name in PASS_NAMES if name in wanted and name not in disabled]


def _turned_off_by(config):
    options = getattr(getattr(config, "graph_options", None), "optimizer_options", None)
    if options is None:
        return set()
    off = {name for option, names in OPTION_PASSES.items() if not getattr(options, option, True) for name in names}
    return off | set(L0_OFF) if getattr(options, "opt_level", None) == OptimizerOptions.L0 else off


def run_pipeline(program, names):
    """`program` after the passes `names` (in pipeline order), with their records."""
    records = []
    dump = Dump()
    dump.write("input", program)
    for name, fn in PIPELINE:
        if name not in names:
            continue
        before = len(program.ops())
        start = time.perf_counter()
        result = run_inside_functions(fn(program), fn)
        seconds = time.perf_counter() - start
        verify(result, name, program)
        records.append(PassRecord(name, before, len(result.ops()), seconds))
        dump.write(name, result)
        program = result
    return program, records
