"""Global configuration (`keras.config`)."""

from lamina._src.backend.config import backend as backend
from lamina._src.backend.config import epsilon as epsilon
from lamina._src.backend.config import floatx as floatx
from lamina._src.backend.config import image_data_format as image_data_format
from lamina._src.backend.config import set_epsilon as set_epsilon
from lamina._src.backend.config import set_floatx as set_floatx
from lamina._src.backend.config import set_image_data_format as set_image_data_format
from lamina._src.backend.dtypes import DTypePolicy as DTypePolicy
from lamina._src.backend.dtypes import dtype_policy as dtype_policy
from lamina._src.backend.dtypes import set_dtype_policy as set_dtype_policy
