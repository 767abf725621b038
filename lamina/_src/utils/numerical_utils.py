"""Array helpers for preparing data: one-hot labels and per-axis normalisation.

NumPy in, NumPy out (as in Keras): these run before training, on host data. A JAX array in gives a
JAX array out.
"""

import jax
import jax.numpy as jnp
import numpy as np


def to_categorical(x, num_classes: int | None = None):
    """Converts a class vector (integers) to a one-hot class matrix.

    The trailing axis of size 1, if any (labels shaped `(batch, 1)`), is dropped before the
    one-hot axis is appended, so `(batch,)` and `(batch, 1)` both give `(batch, num_classes)`.

    Args:
        x: Array-like of class indices in `[0, num_classes)`. Floats are truncated to integers.
        num_classes: Total number of classes. If `None` (or 0), it is `max(x) + 1`.

    Returns:
        A float64 NumPy array of shape `x.shape + (num_classes,)` (float32 JAX array when `x` is a
        JAX array).

    Raises:
        ValueError: if `x` is empty and `num_classes` is not given, or a label lies outside
            `[0, num_classes)`. (Keras wraps negative labels around and raises `IndexError` for
            labels that are too large; both are almost always a bug in the labels.)

    Example:

    >>> to_categorical([0, 2, 1], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    """
    if isinstance(x, jax.Array):
        return _to_categorical_jax(x, num_classes)
    x = np.array(x, dtype="int64")
    input_shape = x.shape
    if len(input_shape) > 1 and input_shape[-1] == 1:
        input_shape = input_shape[:-1]
    x = x.reshape(-1)
    num_classes = _resolve_num_classes(x, num_classes)
    categorical = np.zeros((x.size, num_classes))
    categorical[np.arange(x.size), x] = 1
    return categorical.reshape(input_shape + (num_classes,))


def _to_categorical_jax(x, num_classes):
    x = x.astype("int32")
    if x.ndim > 1 and x.shape[-1] == 1:
        x = jnp.squeeze(x, axis=-1)
    if not isinstance(x, jax.core.Tracer):  # under jit the labels cannot be inspected
        num_classes = _resolve_num_classes(x, num_classes)
    return jax.nn.one_hot(x, num_classes, dtype="float32")


def _resolve_num_classes(x, num_classes) -> int:
    """`num_classes`, or max(x) + 1 when not given; checks every label fits (x: NumPy or JAX)."""
    if not num_classes:
        if x.size == 0:
            raise ValueError(
                "to_categorical received an empty label array and no `num_classes`; pass "
                "`num_classes=` to say how wide the one-hot axis should be."
            )
        num_classes = int(x.max()) + 1
    num_classes = int(num_classes)
    if x.size:
        low, high = int(x.min()), int(x.max())
        if low < 0 or high >= num_classes:
            raise ValueError(
                f"to_categorical expects labels in [0, {num_classes}) for num_classes="
                f"{num_classes}; received labels from {low} to {high}. Check the labels, or "
                f"pass a larger `num_classes`."
            )
    return num_classes


def normalize(x, axis: int = -1, order: int | float = 2):
    """Normalizes an array along an axis to unit `order`-norm.

    Slices whose norm is zero are left unchanged (all zeros) rather than divided by zero.

    Args:
        x: Array to normalize (NumPy array or array-like; a JAX array gives a JAX array back).
        axis: Axis along which to normalize.
        order: Norm order, as `ord` in `numpy.linalg.norm` (e.g. 2 for the L2 norm, 1 for L1,
            `np.inf` for the max norm).

    Returns:
        The normalized array. Floating inputs keep their dtype; other inputs become float64
        (float32 for JAX arrays). As in Keras, a 1-D NumPy input comes back with shape `(1, n)`.

    Note:
        Keras 3's NumPy path divides by the norms along the wrong axis when `axis` is not the last
        one; lamina normalizes along `axis` as documented (what Keras does for backend tensors).
    """
    if isinstance(x, jax.Array):
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype("float32")
        norm = jnp.linalg.norm(x, ord=order, axis=axis, keepdims=True)
        return x / jnp.where(norm == 0, jnp.ones_like(norm), norm).astype(x.dtype)
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype("float64")
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return (x / np.expand_dims(norm, axis)).astype(x.dtype, copy=False)
