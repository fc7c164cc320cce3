"""`tf.nn`: neural-network ops."""
from .ops.nn import *  # noqa: F401,F403
from .ops.nn import __all__  # noqa: F401
from .ops.losses_nn import *  # noqa: F401,F403
from .ops.losses_nn import __all__ as _losses_all

__all__ = __all__ + _losses_all  # noqa: F405
from .ops import rnn_cell  # noqa: E402,F401
from .ops.rnn import bidirectional_dynamic_rnn, dynamic_rnn, static_bidirectional_rnn, static_rnn  # noqa: E402,F401
from .ops import conv as _conv, normalization as _normalization, pooling as _pooling, selection as _selection  # noqa: E402
from .ops.conv import *  # noqa: E402,F401,F403
from .ops.normalization import *  # noqa: E402,F401,F403
from .ops.pooling import *  # noqa: E402,F401,F403
from .ops.selection import *  # noqa: E402,F401,F403
__all__ += _conv.__all__ + _normalization.__all__ + _pooling.__all__ + _selection.__all__  # noqa: E402
from .ops.candidate_sampling import log_uniform_candidate_sampler  # noqa: E402,F401
from .ops.sampled_losses import nce_loss, sampled_softmax_loss  # noqa: E402,F401
__all__ += ["log_uniform_candidate_sampler", "nce_loss", "sampled_softmax_loss"]  # noqa: E402
