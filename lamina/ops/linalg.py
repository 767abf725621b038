"""`keras.ops.linalg`: linear algebra."""

from lamina._src.ops.linalg import *  # noqa: F403
