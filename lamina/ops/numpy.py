"""`keras.ops.numpy`: the NumPy-style ops."""

from lamina._src.ops.numpy import *  # noqa: F403
from lamina._src.ops.numpy import abs as abs  # noqa: A004
from lamina._src.ops.numpy import all as all  # noqa: A004
from lamina._src.ops.numpy import any as any  # noqa: A004
from lamina._src.ops.numpy import max as max  # noqa: A004
from lamina._src.ops.numpy import min as min  # noqa: A004
from lamina._src.ops.numpy import round as round  # noqa: A004
from lamina._src.ops.numpy import sum as sum  # noqa: A004
from lamina._src.ops.numpy_extra import *  # noqa: F403

# Keras files these under `keras.ops` (core and math), not `keras.ops.numpy`.
del cast, convert_to_numpy, convert_to_tensor, logsumexp, rsqrt, shape, unstack  # noqa: F821
