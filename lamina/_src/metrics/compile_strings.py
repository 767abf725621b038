"""The shorthand `compile(metrics=["accuracy"])`: which accuracy `"accuracy"` / `"acc"` means.

Keras 3 decides from the shapes of the targets and the model's output only; the loss is *not*
consulted (tf.keras 2 also looked at it, so `loss="binary_crossentropy"` with a 3-unit sigmoid
output meant binary accuracy there, but means categorical accuracy in Keras 3 and lamina):

* the output's last axis has size 1                            -> `BinaryAccuracy`;
* else the targets have lower rank than the output, or a last
  axis of size 1 while the output's is larger                   -> `SparseCategoricalAccuracy`;
* otherwise                                                     -> `CategoricalAccuracy`.

The metric keeps the string as its name (`"acc"` stays `"acc"`). The same rule picks the
crossentropy for `loss="crossentropy"` (`lamina._src.losses.compile_strings.resolve_loss`).
"""

from lamina._src.losses.compile_strings import classify_targets, object_name
from lamina._src.metrics.accuracy import (
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
)
from lamina._src.metrics.lookup import get
from lamina._src.metrics.metric import Metric
from lamina._src.metrics.reduction import MeanMetricWrapper

ACCURACY_STRINGS = ("accuracy", "acc")

_ACCURACY_BY_KIND = {
    "binary": BinaryAccuracy,
    "sparse_categorical": SparseCategoricalAccuracy,
    "categorical": CategoricalAccuracy,
}


def resolve_accuracy(identifier: str, y_true_shape, y_pred_shape) -> Metric:
    """The accuracy metric `compile()` makes for `"accuracy"` / `"acc"` on one output.

    Args:
        identifier: `"accuracy"` or `"acc"` (any case); it becomes the metric's name.
        y_true_shape: the targets' shape (batch axis included).
        y_pred_shape: the output's shape.

    Example:
        resolve_accuracy("acc", (32,), (32, 10))    # SparseCategoricalAccuracy(name="acc")
        resolve_accuracy("accuracy", (32, 1), (32, 1))  # BinaryAccuracy
    """
    if str(identifier).lower() not in ACCURACY_STRINGS:
        raise ValueError(
            f"resolve_accuracy expects 'accuracy' or 'acc', received {identifier!r}; use "
            "resolve_metric for other identifiers."
        )
    cls = _ACCURACY_BY_KIND[classify_targets(y_true_shape, y_pred_shape)]
    return cls(name=str(identifier))


def resolve_metric(identifier, y_true_shape, y_pred_shape) -> Metric:
    """What `compile(metrics=[identifier])` uses for one output, as a `Metric`.

    Args:
        identifier: `"accuracy"` / `"acc"` (resolved from the shapes, see the module
            docstring), or anything `lamina.metrics.get` accepts.
        y_true_shape: the targets' shape.
        y_pred_shape: the output's shape.

    Returns:
        A `Metric`; functions are wrapped in `MeanMetricWrapper`. A string identifier becomes
        the metric's name (`"mse"` reports as `mse`).

    Raises:
        ValueError: for None or an unknown name.
    """
    if identifier is None:
        raise ValueError("Expected a metric, received None.")
    if str(identifier).lower() in ACCURACY_STRINGS:
        metric = resolve_accuracy(identifier, y_true_shape, y_pred_shape)
    else:
        metric = get(identifier)
    name = identifier if isinstance(identifier, str) else object_name(metric)
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric)
    metric.name = name
    return metric
