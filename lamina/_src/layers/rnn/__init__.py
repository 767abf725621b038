"""Recurrent layers (and Embedding / Masking, which feed them), re-exported by `lamina.layers`."""

from lamina._src.layers.core.embedding import Embedding
from lamina._src.layers.core.masking import Masking
from lamina._src.layers.rnn.bidirectional import Bidirectional
from lamina._src.layers.rnn.gru import GRU, GRUCell
from lamina._src.layers.rnn.lstm import LSTM, LSTMCell
from lamina._src.layers.rnn.rnn import RNN
from lamina._src.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from lamina._src.layers.rnn.stacked_rnn_cells import StackedRNNCells
from lamina._src.layers.rnn.time_distributed import TimeDistributed

__all__ = [
    "Bidirectional",
    "Embedding",
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "Masking",
    "RNN",
    "SimpleRNN",
    "SimpleRNNCell",
    "StackedRNNCells",
    "TimeDistributed",
]
