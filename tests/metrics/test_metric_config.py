"""Metric names, configs, (de)serialization and string lookup, against real Keras 3."""

import numpy as np
import pytest

import lamina.losses as lamina_losses
import lamina.metrics as lamina_metrics

# (class name, constructor kwargs)
CONFIG_CASES = [
    ("Mean", {}),
    ("Sum", {"name": "total"}),
    ("Accuracy", {}),
    ("BinaryAccuracy", {"threshold": 0.3}),
    ("CategoricalAccuracy", {}),
    ("SparseCategoricalAccuracy", {"name": "acc"}),
    ("TopKCategoricalAccuracy", {"k": 3}),
    ("SparseTopKCategoricalAccuracy", {"k": 2}),
    ("SparseTopKCategoricalAccuracy", {"from_sorted_ids": True}),
    ("AUC", {}),
    ("AUC", {"num_thresholds": 50, "curve": "PR", "summation_method": "majoring"}),
    ("AUC", {"thresholds": [0.3, 0.1, 0.8], "multi_label": True, "num_labels": 3}),
    ("AUC", {"from_logits": True, "curve": "pr"}),
    ("Precision", {}),
    ("Precision", {"thresholds": [0.2, 0.6], "top_k": 2, "class_id": 1}),
    ("Recall", {"thresholds": 0.4}),
    ("TruePositives", {}),
    ("FalsePositives", {"thresholds": [0.1, 0.9]}),
    ("TrueNegatives", {}),
    ("FalseNegatives", {}),
    ("SensitivityAtSpecificity", {"specificity": 0.7}),
    ("SpecificityAtSensitivity", {"sensitivity": 0.3, "num_thresholds": 10, "class_id": 2}),
    ("PrecisionAtRecall", {"recall": 0.5}),
    ("RecallAtPrecision", {"precision": 0.8}),
    ("F1Score", {}),
    ("F1Score", {"average": "macro", "threshold": 0.4}),
    ("FBetaScore", {"beta": 2.0, "average": "weighted"}),
    ("MeanIoU", {"num_classes": 3}),
    ("MeanIoU", {"num_classes": 3, "ignore_class": 0, "sparse_y_pred": False, "dtype": "float32"}),
    ("IoU", {"num_classes": 3, "target_class_ids": [0, 2]}),
    ("BinaryIoU", {"threshold": 0.3}),
    ("OneHotIoU", {"num_classes": 3, "target_class_ids": [1]}),
    ("OneHotMeanIoU", {"num_classes": 3}),
    ("R2Score", {}),
    ("R2Score", {"class_aggregation": None, "num_regressors": 3}),
    ("MeanSquaredError", {}),
    ("MeanAbsoluteError", {}),
    ("RootMeanSquaredError", {}),
    ("MeanAbsolutePercentageError", {}),
    ("MeanSquaredLogarithmicError", {}),
    ("LogCoshError", {}),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}),
    ("CategoricalCrossentropy", {"axis": 0}),
    ("SparseCategoricalCrossentropy", {"ignore_class": -1}),
    ("KLDivergence", {}),
    ("Poisson", {}),
    ("Hinge", {}),
    ("SquaredHinge", {}),
    ("CategoricalHinge", {}),
    ("PearsonCorrelation", {"axis": 0}),
    ("ConcordanceCorrelation", {}),
    # Keras 3 drops `axis` from this metric's config; lamina writes it (see the class docstring).
    ("CosineSimilarity", {"axis": 0}),
]
EXTRA_KEYS = {"CosineSimilarity": {"axis"}}


def _ids(cases):
    return [f"{n}-{k}" for n, k in cases]


@pytest.mark.parametrize("name,kwargs", CONFIG_CASES, ids=_ids(CONFIG_CASES))
def test_name_and_get_config_equal_keras(keras, name, kwargs):
    ours = getattr(lamina_metrics, name)(**kwargs)
    theirs = getattr(keras.metrics, name)(**kwargs)
    assert ours.dtype == theirs.dtype
    assert [v.name for v in ours.variables] == [v.name for v in theirs.variables]
    assert [v.shape for v in ours.variables] == [tuple(v.shape) for v in theirs.variables]
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    # Default names carry a per-class counter (auc, auc_1, ...) that differs between libraries.
    ours_config.pop("name"), theirs_config.pop("name")
    extra = EXTRA_KEYS.get(name, set())
    assert {k: v for k, v in ours_config.items() if k not in extra} == theirs_config
    assert set(ours_config) - set(theirs_config) <= extra


@pytest.mark.parametrize("name,kwargs", CONFIG_CASES, ids=_ids(CONFIG_CASES))
def test_serialize_round_trip(keras, name, kwargs):
    metric = getattr(lamina_metrics, name)(**kwargs)
    config = lamina_metrics.serialize(metric)
    assert config["module"] == "keras.metrics" and config["class_name"] == name
    restored = lamina_metrics.deserialize(config)
    assert type(restored) is type(metric)
    assert restored.get_config() == metric.get_config()
    # Keras's config loads into lamina, and lamina's into Keras.
    theirs = getattr(keras.metrics, name)(**kwargs)
    from_keras = lamina_metrics.deserialize(keras.metrics.serialize(theirs))
    assert type(from_keras) is type(metric)
    assert {k: from_keras.get_config()[k] for k in theirs.get_config()} == theirs.get_config()
    assert getattr(keras.metrics, name).from_config(metric.get_config()).name == metric.name


def _without_counter(name: str) -> str:
    """`auc_3` -> `auc`: the per-class counter depends on what each library already built."""
    stem, _, suffix = name.rpartition("_")
    return stem if suffix.isdigit() and stem else name


def test_default_names_equal_keras(keras):
    from keras.src.metrics import ALL_OBJECTS

    needs_args = {
        "MeanMetricWrapper": {"fn": None},
        "IoU": {"num_classes": 2, "target_class_ids": [0]},
        "MeanIoU": {"num_classes": 2},
        "OneHotIoU": {"num_classes": 2, "target_class_ids": [0]},
        "OneHotMeanIoU": {"num_classes": 2},
        "SensitivityAtSpecificity": {"specificity": 0.5},
        "SpecificityAtSensitivity": {"sensitivity": 0.5},
        "PrecisionAtRecall": {"recall": 0.5},
        "RecallAtPrecision": {"precision": 0.5},
    }
    for cls in ALL_OBJECTS:
        if cls.__name__ in ("Metric", "MeanMetricWrapper"):
            continue
        kwargs = needs_args.get(cls.__name__, {})
        ours = getattr(lamina_metrics, cls.__name__)(**kwargs).name
        theirs = cls(**kwargs).name
        assert _without_counter(ours) == _without_counter(theirs), cls.__name__
    assert lamina_metrics.SparseCategoricalAccuracy().name == "sparse_categorical_accuracy"
    assert lamina_metrics.LogCoshError().name == "logcosh"


def test_variable_paths_are_scoped_by_metric_name():
    metric = lamina_metrics.AUC(name="val_auc", num_thresholds=3)
    assert [v.path for v in metric.variables] == [
        "val_auc/true_positives",
        "val_auc/false_positives",
        "val_auc/true_negatives",
        "val_auc/false_negatives",
    ]
    assert not any(v.trainable for v in metric.variables)


def test_mean_metric_wrapper_config(keras):
    ours = lamina_metrics.MeanMetricWrapper(lamina_losses.huber, name="w", delta=0.5)
    theirs = keras.metrics.MeanMetricWrapper(keras.losses.huber, name="w", delta=0.5)
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert set(ours_config) == set(theirs_config)
    # Keras writes "builtins" as a function's module; lamina writes the category's module.
    assert {**ours_config["fn"], "module": None} == {**theirs_config["fn"], "module": None}
    restored = lamina_metrics.MeanMetricWrapper.from_config(theirs_config)
    assert restored._fn is lamina_losses.huber and restored._fn_kwargs == {"delta": 0.5}
    assert restored._direction == "down"
    # A metric-only function (Keras itself fails to read this one back).
    wrapper = lamina_metrics.MeanMetricWrapper(lamina_metrics.binary_accuracy, threshold=0.3)
    restored = lamina_metrics.deserialize(lamina_metrics.serialize(wrapper))
    assert restored._fn is lamina_metrics.binary_accuracy and restored._fn_kwargs == {
        "threshold": 0.3
    }
    fn = lamina_metrics.deserialize(lamina_metrics.serialize(lamina_metrics.binary_accuracy))
    assert fn is lamina_metrics.binary_accuracy


def test_every_keras_metric_name_resolves(keras):
    """`metrics.get` accepts every name Keras's does and gives an instance of the same class."""
    from keras.src.metrics import ALL_OBJECTS_DICT

    constructor_args = {
        "IoU",
        "MeanIoU",
        "OneHotIoU",
        "OneHotMeanIoU",
        "MeanMetricWrapper",
        "SensitivityAtSpecificity",
        "SpecificityAtSensitivity",
        "PrecisionAtRecall",
        "RecallAtPrecision",
    }
    for key, cls in ALL_OBJECTS_DICT.items():
        if cls.__name__ in constructor_args:  # get() fails for these in Keras too
            assert lamina_metrics.deserialize(key).__name__ == cls.__name__, key
            continue
        assert type(lamina_metrics.get(key)).__name__ == cls.__name__, key


@pytest.mark.parametrize(
    "identifier,cls",
    [
        ("mse", "MeanSquaredError"),
        ("MAE", "MeanAbsoluteError"),
        ("bce", "BinaryCrossentropy"),
        ("mean_squared_error", "MeanSquaredError"),
        ("accuracy", "Accuracy"),
        ("auc", "AUC"),
        ("sparse_categorical_accuracy", "SparseCategoricalAccuracy"),
        ("r2_score", "R2Score"),
    ],
)
def test_get_strings_give_metric_instances(identifier, cls):
    metric = lamina_metrics.get(identifier)
    assert type(metric) is getattr(lamina_metrics, cls)
    # ...never the loss of the same name.
    assert not isinstance(metric, lamina_losses.Loss)


def test_get_other_identifiers():
    assert lamina_metrics.get(None) is None
    auc = lamina_metrics.get({"class_name": "AUC", "config": {"num_thresholds": 10}})
    assert isinstance(auc, lamina_metrics.AUC) and auc.num_thresholds == 10
    assert isinstance(lamina_metrics.get(lamina_metrics.Recall), lamina_metrics.Recall)
    assert lamina_metrics.get(lamina_losses.poisson) is lamina_losses.poisson


def test_unknown_names_raise_value_errors_naming_them():
    with pytest.raises(ValueError, match="not_a_metric"):
        lamina_metrics.get("not_a_metric")
    with pytest.raises(ValueError, match="acc"):
        lamina_metrics.get("acc")  # only compile() gives "acc" a meaning
    with pytest.raises(ValueError, match="NotAMetric"):
        lamina_metrics.deserialize({"class_name": "NotAMetric", "config": {}})
    with pytest.raises(ValueError, match="not_a_metric"):
        lamina_metrics.deserialize("not_a_metric")


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: lamina_metrics.AUC(num_thresholds=1), "num_thresholds"),
        (lambda: lamina_metrics.AUC(curve="XY"), "XY"),
        (lambda: lamina_metrics.AUC(summation_method="simpson"), "simpson"),
        (lambda: lamina_metrics.AUC(num_labels=3), "multi_label"),
        (lambda: lamina_metrics.Precision(thresholds=[0.5, 1.5]), "1.5"),
        (lambda: lamina_metrics.F1Score(average="median"), "median"),
        (lambda: lamina_metrics.FBetaScore(beta=2), "beta"),
        (lambda: lamina_metrics.F1Score(threshold=1.5), "threshold"),
        (lambda: lamina_metrics.R2Score(class_aggregation="max"), "max"),
        (lambda: lamina_metrics.IoU(num_classes=2, target_class_ids=[3]), "3"),
        (lambda: lamina_metrics.SensitivityAtSpecificity(1.5), "specificity"),
    ],
)
def test_invalid_arguments_raise_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"\(4,\)"):
        lamina_metrics.F1Score().update_state(np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match="rank 2"):
        lamina_metrics.AUC(multi_label=True).update_state(np.zeros(4), np.zeros(4))
