"""graphc: TF1-style graphs, compiled. `import graphc as tf` and write TF1 code.

Build a graph (placeholders, variables, ops), then `Session.run` it: the graph
is pruned, optimised by passes and executed (see docs/how-it-works.md).
"""
from . import dtypes, errors
from .config import ConfigProto, GPUOptions, GraphOptions, OptimizerOptions, RunMetadata, RunOptions
from .dtypes import (DType, as_dtype, bool_ as bool, float16, float32, float64, int8, int16, int32,  # noqa: A004
                     int64, string, uint8)
from .gradients import NotDifferentiable, RegisterGradient, gradients, no_gradient
from .graph import (Graph, GraphKeys, NodeDef, Operation, Tensor, add_to_collection, add_to_collections,
                    control_dependencies, device, get_collection, get_collection_ref, get_default_graph,
                    name_scope, reset_default_graph)
from .control_flow_ops import *  # noqa: F401,F403
from .ops.array import *  # noqa: F401,F403
from .ops.control import *  # noqa: F401,F403
from .ops.inputs import *  # noqa: F401,F403
from .ops.math import *  # noqa: F401,F403
from .ops.nn import relu, sigmoid, softmax, tanh  # noqa: F401
from .ops.random import *  # noqa: F401,F403
from .session import InteractiveSession, Session, get_default_session
from .shapes import TensorShape
from .variables import (Variable, all_variables, assign, assign_add, assign_sub, global_variables,
                        global_variables_initializer, initialize_all_variables, is_variable_initialized,
                        local_variables, local_variables_initializer, trainable_variables,
                        variables_initializer)
from . import nn  # noqa: E402
from . import losses, train  # noqa: E402
from .clip_ops import clip_by_global_norm, clip_by_norm, global_norm  # noqa: E402
from .init_ops import (constant_initializer, glorot_normal_initializer, glorot_uniform_initializer,  # noqa: E402
                       ones_initializer, orthogonal_initializer, random_normal_initializer,
                       random_uniform_initializer, truncated_normal_initializer, variance_scaling_initializer,
                       zeros_initializer)
from .variable_scope import AUTO_REUSE, VariableScope, get_variable, get_variable_scope, variable_scope  # noqa: E402
from . import contrib  # noqa: E402
from . import keras, layers  # noqa: E402
from . import data, io, summary  # noqa: E402
from .io import dump, import_graph_def  # noqa: E402

half, double = float16, float64

# TF1 spellings kept for the programs that use them.
mul, sub, neg = multiply, subtract, negative  # noqa: F405
arg_max, arg_min = argmax, argmin  # noqa: F405

__version__ = "0.1.0"
