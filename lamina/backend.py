"""The backend helpers Keras code commonly touches (`keras.backend`)."""

from lamina._src.backend.config import backend as backend
from lamina._src.backend.config import epsilon as epsilon
from lamina._src.backend.config import floatx as floatx
from lamina._src.backend.config import image_data_format as image_data_format
from lamina._src.backend.config import set_epsilon as set_epsilon
from lamina._src.backend.config import set_floatx as set_floatx
from lamina._src.backend.config import set_image_data_format as set_image_data_format
from lamina._src.backend.dtypes import standardize_dtype as standardize_dtype
from lamina._src.backend.session import clear_session as clear_session
from lamina._src.backend.variables import Variable as Variable
from lamina._src.ops.keras_tensor import is_keras_tensor as is_keras_tensor
from lamina._src.ops.numpy import convert_to_numpy as convert_to_numpy
from lamina._src.ops.numpy import convert_to_tensor as convert_to_tensor
