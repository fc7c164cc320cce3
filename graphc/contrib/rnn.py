"""`tf.contrib.rnn` (`from graphc.contrib import rnn`): the cells of `tf.nn.rnn_cell`
and the unrolled networks."""
from ..ops.rnn import bidirectional_dynamic_rnn, dynamic_rnn, static_bidirectional_rnn, static_rnn  # noqa: F401
from ..ops.rnn_cell import (  # noqa: F401
                            BasicLSTMCell,
                            BasicRNNCell,
                            DropoutWrapper,
                            GRUCell,
                            LSTMCell,
                            LSTMStateTuple,
                            MultiRNNCell,
                            RNNCell,
)
