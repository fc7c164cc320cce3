"""The op library, one module per family. Importing it registers every OpDef."""
from . import inputs, math, control, state, array, random, nn, losses_nn, fused, operators  # noqa: F401
from . import summary, control_flow  # noqa: F401,E402
from . import conv, pooling, normalization, selection  # noqa: F401,E402
from . import candidate_sampling, dataset  # noqa: F401,E402
