"""Tensor ops (`keras.ops`) that work on arrays and on symbolic tensors."""

from lamina._src.ops.core import *  # noqa: F403
from lamina._src.ops.core import map as map  # noqa: A004
from lamina._src.ops.core import slice as slice  # noqa: A004
from lamina._src.ops.linalg import *  # noqa: F403
from lamina._src.ops.math import *  # noqa: F403
from lamina._src.ops.nn import *  # noqa: F403
from lamina._src.ops.numpy import *  # noqa: F403
from lamina._src.ops.numpy import abs as abs  # noqa: A004
from lamina._src.ops.numpy import all as all  # noqa: A004
from lamina._src.ops.numpy import any as any  # noqa: A004
from lamina._src.ops.numpy import max as max  # noqa: A004
from lamina._src.ops.numpy import min as min  # noqa: A004
from lamina._src.ops.numpy import round as round  # noqa: A004
from lamina._src.ops.numpy import sum as sum  # noqa: A004
from lamina._src.ops.numpy_extra import *  # noqa: F403
from lamina.ops import linalg as linalg
from lamina.ops import nn as nn
from lamina.ops import numpy as numpy
