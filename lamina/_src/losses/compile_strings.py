"""The shorthand strings `compile()` accepts for a loss: `"crossentropy"` / `"ce"`.

Keras 3 picks the crossentropy from the *shapes* of the targets and the model's output alone (the
loss is not consulted; tf.keras 2 also looked at it):

* the output's last axis has size 1                         -> binary;
* else the targets have lower rank than the output, or a last
  axis of size 1 while the output's is larger                -> sparse categorical;
* otherwise                                                  -> categorical.

`lamina._src.metrics.compile_strings` applies the same rule to `"accuracy"` / `"acc"`.
"""

from lamina._src.backend import naming
from lamina._src.losses import crossentropy
from lamina._src.losses.lookup import get
from lamina._src.losses.loss import Loss
from lamina._src.losses.wrapper import LossFunctionWrapper

CROSSENTROPY_STRINGS = ("crossentropy", "ce")


def classify_targets(y_true_shape, y_pred_shape) -> str:
    """`"binary"`, `"sparse_categorical"` or `"categorical"`, by Keras 3's shape rule above."""
    y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
    true_last = y_true_shape[-1] if y_true_shape else None
    pred_last = y_pred_shape[-1] if y_pred_shape else None
    if pred_last == 1:
        return "binary"
    if len(y_true_shape) < len(y_pred_shape) or (
        true_last == 1 and pred_last is not None and pred_last > 1
    ):
        return "sparse_categorical"
    return "categorical"


def object_name(obj) -> str:
    """The name Keras gives a loss or metric: its `name`, else its snake-cased function or class."""
    if hasattr(obj, "name"):
        return obj.name
    if hasattr(obj, "__name__"):
        return naming.to_snake_case(obj.__name__)
    return naming.to_snake_case(type(obj).__name__)


def resolve_loss(identifier, y_true_shape, y_pred_shape) -> Loss | None:
    """What `compile(loss=identifier)` uses for one output, as a `Loss` object.

    Args:
        identifier: anything `lamina.losses.get` accepts, or `"crossentropy"` / `"ce"`
            (any case), resolved from the shapes as described in this module.
        y_true_shape: the targets' shape (the batch axis included).
        y_pred_shape: the output's shape.

    Returns:
        A `Loss`; plain functions are wrapped in a `LossFunctionWrapper` named after the
        identifier string (or the function). None stays None (an output without a loss).
    """
    if identifier is None:
        return None
    if str(identifier).lower() in CROSSENTROPY_STRINGS:
        kind = classify_targets(y_true_shape, y_pred_shape)
        loss = {
            "binary": crossentropy.binary_crossentropy,
            "sparse_categorical": crossentropy.sparse_categorical_crossentropy,
            "categorical": crossentropy.categorical_crossentropy,
        }[kind]
    else:
        loss = get(identifier)
    if isinstance(loss, Loss):
        return loss
    name = identifier if isinstance(identifier, str) else object_name(loss)
    return LossFunctionWrapper(loss, name=name)
