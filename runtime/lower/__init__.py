"""Lowering of primitive ops to LLVM IR: `LOWERINGS[op_type](plan, op)` adds
the op's kernel step (or its storage alias) to a Plan."""
from .array import LOWERINGS as _ARRAY
from .basic import LOWERINGS as _BASIC
from .debug import LOWERINGS as _DEBUG
from .fused_reduction import LOWERINGS as _FUSED_REDUCTION
from .gather import LOWERINGS as _GATHER
from .matmul import lower_accumulate_matmul, lower_fused_matmul, lower_matmul
from .random import LOWERINGS as _RANDOM
from .reduce import LOWERINGS as _REDUCE
from .scan import LOWERINGS as _SCAN
from .segment import LOWERINGS as _SEGMENT
from .session import LOWERINGS as _SESSION
from .shuffle import LOWERINGS as _SHUFFLE
from .values import LOWERINGS as _VALUES

LOWERINGS = dict(_BASIC, MatMul=lower_matmul, FusedMatMul=lower_fused_matmul,
                 AccumulateMatMul=lower_accumulate_matmul, **_REDUCE, **_ARRAY, **_GATHER, **_VALUES,
                 **_RANDOM, **_SHUFFLE, **_DEBUG, **_SCAN, **_SESSION, **_SEGMENT, **_FUSED_REDUCTION)

# Primitives the LLVM executor does not compile yet: plans using them run on
# the reference executor. tests/runtime/test_llvm_cases.py keeps this list exact.
# Summary ops make serialised protos (strings): host work by nature; being
# sinks, they run after the compiled call (runtime/host_summaries.py).
# Dataset iterators and candidate samplers run on the host: when they have no
# inputs they are evaluated before the compiled call (runtime/host_inputs.py).
NOT_YET_LOWERED = frozenset({"ScalarSummary", "HistogramSummary", "MergeSummary", "MakeIterator", "IteratorGetNext",
                             "LogUniformCandidateSampler"})
from .conv import LOWERINGS as _CONV  # noqa: E402
LOWERINGS.update(_CONV)
from .pool import LOWERINGS as _POOL  # noqa: E402
LOWERINGS.update(_POOL)
from .topk import LOWERINGS as _TOPK  # noqa: E402
LOWERINGS.update(_TOPK)
from .control_flow import LOWERINGS as _CONTROL_FLOW  # noqa: E402
LOWERINGS.update(_CONTROL_FLOW)
