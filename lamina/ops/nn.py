"""`keras.ops.nn`: the neural-network ops."""

from lamina._src.ops.nn import *  # noqa: F403
