"""`get`, `serialize` and `deserialize` for metrics: names and configs <-> metric objects.

Strings resolve as in Keras 3's `keras.metrics.get`: a class name (`"AUC"`) or its snake-case
form (`"auc"`, `"mean_squared_error"`, `"sparse_categorical_accuracy"`) gives an instance of the
metric *class*; `"mse"`, `"mae"`, `"mape"`, `"msle"`, `"bce"` (and upper-case forms) give
`MeanSquaredError`, ... instances. Lookups stay within the metrics (`"MeanSquaredError"` is also
a loss). `"accuracy"` gives `Accuracy`; the contextual meaning `compile()` gives `"accuracy"` /
`"acc"` lives in `compile_strings`.
"""

import inspect

from lamina._src.backend.naming import to_snake_case
from lamina._src.losses.functions import deserialize_function
from lamina._src.metrics import (
    accuracy,
    at_constraint,
    auc,
    confusion,
    correlation,
    f_score,
    hinge,
    iou,
    metric,
    probabilistic,
    reduction,
    regression,
)
from lamina._src.saving import registry
from lamina._src.saving.serialization import deserialize_keras_object, serialize_keras_object

# The classes Keras 3 lists in `keras.metrics.ALL_OBJECTS`.
ALL_CLASSES = (
    metric.Metric,
    reduction.Mean,
    reduction.Sum,
    reduction.MeanMetricWrapper,
    regression.MeanSquaredError,
    regression.RootMeanSquaredError,
    regression.MeanAbsoluteError,
    regression.MeanAbsolutePercentageError,
    regression.MeanSquaredLogarithmicError,
    regression.CosineSimilarity,
    regression.LogCoshError,
    regression.R2Score,
    auc.AUC,
    confusion.FalseNegatives,
    confusion.FalsePositives,
    confusion.Precision,
    at_constraint.PrecisionAtRecall,
    confusion.Recall,
    at_constraint.RecallAtPrecision,
    at_constraint.SensitivityAtSpecificity,
    at_constraint.SpecificityAtSensitivity,
    confusion.TrueNegatives,
    confusion.TruePositives,
    correlation.ConcordanceCorrelation,
    correlation.PearsonCorrelation,
    hinge.Hinge,
    hinge.SquaredHinge,
    hinge.CategoricalHinge,
    probabilistic.KLDivergence,
    probabilistic.Poisson,
    probabilistic.BinaryCrossentropy,
    probabilistic.CategoricalCrossentropy,
    probabilistic.SparseCategoricalCrossentropy,
    accuracy.Accuracy,
    accuracy.BinaryAccuracy,
    accuracy.CategoricalAccuracy,
    accuracy.SparseCategoricalAccuracy,
    accuracy.TopKCategoricalAccuracy,
    accuracy.SparseTopKCategoricalAccuracy,
    f_score.F1Score,
    f_score.FBetaScore,
    iou.IoU,
    iou.BinaryIoU,
    iou.MeanIoU,
    iou.OneHotIoU,
    iou.OneHotMeanIoU,
)

# Name -> class, as Keras's `keras.metrics.ALL_OBJECTS_DICT`.
NAMES: dict[str, type] = {cls.__name__: cls for cls in ALL_CLASSES}
NAMES.update({to_snake_case(cls.__name__): cls for cls in ALL_CLASSES})
NAMES.update(
    {
        "bce": probabilistic.BinaryCrossentropy,
        "BCE": probabilistic.BinaryCrossentropy,
        "mse": regression.MeanSquaredError,
        "MSE": regression.MeanSquaredError,
        "mae": regression.MeanAbsoluteError,
        "MAE": regression.MeanAbsoluteError,
        "mape": regression.MeanAbsolutePercentageError,
        "MAPE": regression.MeanAbsolutePercentageError,
        "msle": regression.MeanSquaredLogarithmicError,
        "MSLE": regression.MeanSquaredLogarithmicError,
    }
)


def serialize(metric_or_fn) -> dict:
    """A metric (or metric function) -> its Keras 3 config envelope."""
    return serialize_keras_object(metric_or_fn)


def deserialize(config, custom_objects: dict | None = None):
    """A config envelope (or a name) -> the metric instance, class or function it describes.

    Raises:
        ValueError: when the name is neither a lamina metric nor a custom object.
    """
    if isinstance(config, dict) and config.get("class_name") == "function":
        return deserialize_function(config, custom_objects)
    return deserialize_keras_object(
        config, category="metrics", custom_objects=custom_objects, module_objects=NAMES
    )


def get(identifier):
    """Any metric identifier -> a `Metric` instance or a metric function (None stays None).

    Args:
        identifier: a name (`"auc"`, `"AUC"`, `"mse"`), a config dict, a `Metric` class
            (instantiated with defaults), a `Metric` instance or a callable
            `fn(y_true, y_pred)`.

    Raises:
        ValueError: when `identifier` names no metric or is not callable.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = NAMES.get(identifier)
        if obj is None:
            obj = registry.builtin("metrics", identifier) or registry.get_registered_object(
                identifier
            )
        if obj is None:
            raise ValueError(
                f"Could not interpret metric identifier: {identifier!r}. Use a lamina metric name "
                "('accuracy', 'auc', 'mse', 'SparseCategoricalAccuracy', ...), a Metric instance "
                "or a callable `fn(y_true, y_pred)`."
            )
    else:
        obj = identifier
    if inspect.isclass(obj):
        return obj()
    if callable(obj):
        return obj
    raise ValueError(
        f"Could not interpret metric identifier: {identifier!r}. Expected a name, a config dict, "
        "a Metric instance or a callable `fn(y_true, y_pred)`."
    )
