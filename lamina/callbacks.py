"""Callbacks (`keras.callbacks`)."""

from lamina._src.callbacks.callback import Callback as Callback
from lamina._src.callbacks.callback_list import CallbackList as CallbackList
from lamina._src.callbacks.history import History as History
from lamina._src.callbacks.progbar_logger import ProgbarLogger as ProgbarLogger
