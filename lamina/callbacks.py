"""Callbacks (`keras.callbacks`)."""

from lamina._src.callbacks.backup_and_restore import BackupAndRestore as BackupAndRestore
from lamina._src.callbacks.callback import Callback as Callback
from lamina._src.callbacks.callback_list import CallbackList as CallbackList
from lamina._src.callbacks.early_stopping import EarlyStopping as EarlyStopping
from lamina._src.callbacks.history import History as History
from lamina._src.callbacks.model_checkpoint import ModelCheckpoint as ModelCheckpoint
from lamina._src.callbacks.progbar_logger import ProgbarLogger as ProgbarLogger
from lamina._src.callbacks.schedules import LearningRateScheduler as LearningRateScheduler
from lamina._src.callbacks.schedules import ReduceLROnPlateau as ReduceLROnPlateau
from lamina._src.callbacks.simple import CSVLogger as CSVLogger
from lamina._src.callbacks.simple import LambdaCallback as LambdaCallback
from lamina._src.callbacks.simple import TerminateOnNaN as TerminateOnNaN
from lamina._src.callbacks.tensorboard import TensorBoard as TensorBoard
