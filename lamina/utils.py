"""Utilities (`keras.utils`)."""

from lamina._src.backend.random import set_random_seed as set_random_seed
from lamina._src.saving.registry import custom_object_scope as custom_object_scope
from lamina._src.saving.registry import get_custom_objects as get_custom_objects
from lamina._src.saving.registry import register_keras_serializable as register_keras_serializable
from lamina._src.saving.serialization import deserialize_keras_object as deserialize_keras_object
from lamina._src.saving.serialization import serialize_keras_object as serialize_keras_object
from lamina._src.utils.dataset_utils import split_dataset as split_dataset
from lamina._src.utils.dataset_utils import (
    timeseries_dataset_from_array as timeseries_dataset_from_array,
)
from lamina._src.utils.file_utils import get_file as get_file
from lamina._src.utils.model_visualization import model_to_dot as model_to_dot
from lamina._src.utils.model_visualization import plot_model as plot_model
from lamina._src.utils.numerical_utils import normalize as normalize
from lamina._src.utils.numerical_utils import to_categorical as to_categorical
from lamina._src.utils.py_dataset import PyDataset as PyDataset
from lamina._src.utils.py_dataset import Sequence as Sequence
from lamina._src.utils.sequence_utils import pad_sequences as pad_sequences
