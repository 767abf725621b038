"""Every metric against real Keras 3: several weighted `update_state` calls, `result()`,
`reset_state()`, and the stateless path (`stateless_update_state` / `stateless_result`) that the
jitted train step uses."""

import warnings

import jax
import numpy as np
import pytest

import lamina.metrics as lamina_metrics

BATCH, CLASSES = 8, 4
RTOL, ATOL = 1e-6, 1e-7


def make_batches(kind: str, seed: int = 0, count: int = 3):
    """`count` batches of `(y_true, y_pred, sample_weight)` of the kind a metric expects."""
    rng = np.random.default_rng(seed)
    f32 = np.float32
    shape = (BATCH, CLASSES)
    batches = []
    for _ in range(count):
        weight = rng.uniform(0, 2, BATCH).astype(f32)
        weight[0] = 0.0
        if kind == "values":  # Mean / Sum take one argument: pass y_pred = None
            y_true, y_pred = rng.normal(size=shape).astype(f32), None
            weight = rng.uniform(0, 2, (BATCH, 1)).astype(f32)
        elif kind == "binary":
            y_true = rng.integers(0, 2, (BATCH, 1)).astype(f32)
            y_pred = rng.uniform(size=(BATCH, 1)).astype(f32)
            y_pred[0, 0], y_pred[1, 0] = 0.0, 1.0  # the end points of the threshold range
        elif kind == "binary_flat":
            y_true = rng.integers(0, 2, BATCH).astype(f32)
            y_pred = rng.uniform(size=BATCH).astype(f32)
        elif kind == "binary_logits":
            y_true = rng.integers(0, 2, (BATCH, 1)).astype(f32)
            y_pred = rng.normal(0, 2, (BATCH, 1)).astype(f32)
        elif kind == "multilabel":
            y_true = rng.integers(0, 2, shape).astype(f32)
            y_pred = rng.uniform(size=shape).astype(f32)
            y_pred[0, 0] = 0.5  # exactly on a threshold
        elif kind == "categorical":
            y_true = np.eye(CLASSES, dtype=f32)[rng.integers(0, CLASSES, BATCH)]
            y_pred = rng.uniform(size=shape).astype(f32)
        elif kind == "categorical_logits":
            y_true = np.eye(CLASSES, dtype=f32)[rng.integers(0, CLASSES, BATCH)]
            y_pred = rng.normal(size=shape).astype(f32)
        elif kind == "sparse":
            y_true = rng.integers(0, CLASSES, (BATCH, 1)).astype(f32)
            y_pred = rng.uniform(size=shape).astype(f32)
        elif kind == "sparse_flat":
            y_true = rng.integers(0, CLASSES, BATCH).astype(f32)
            y_pred = rng.uniform(size=shape).astype(f32)
        elif kind == "sparse_ignore":
            y_true = rng.integers(-1, CLASSES, BATCH).astype(f32)
            y_pred = rng.normal(size=shape).astype(f32)
        elif kind == "regression":
            y_true = rng.normal(size=shape).astype(f32)
            y_pred = rng.normal(size=shape).astype(f32)
        elif kind == "positive":
            y_true = rng.uniform(0.1, 3, shape).astype(f32)
            y_pred = rng.uniform(0.1, 3, shape).astype(f32)
        elif kind == "probabilities":
            y_true = rng.uniform(size=shape).astype(f32)
            y_pred = rng.uniform(0.01, 1, shape).astype(f32)
        elif kind == "class_ids":  # IoU: integer ids, integer weights (its state is int32)
            y_true = rng.integers(0, CLASSES, BATCH).astype(np.int32)
            y_pred = rng.integers(0, CLASSES, BATCH).astype(np.int32)
            y_true[0] = CLASSES + 1  # out of range: skipped
            weight = rng.integers(0, 3, BATCH).astype(np.int32)
        elif kind == "class_ids_float":  # IoU with a float dtype: float weights are fine
            y_true = rng.integers(0, CLASSES, BATCH).astype(f32)
            y_pred = rng.integers(0, CLASSES, BATCH).astype(f32)
        else:
            raise AssertionError(kind)
        batches.append((y_true, y_pred, weight))
    return batches


# (class name, constructor kwargs, data kind)
METRIC_CASES = [
    ("Mean", {}, "values"),
    ("Sum", {}, "values"),
    ("Accuracy", {}, "class_ids_float"),
    ("BinaryAccuracy", {}, "binary"),
    ("BinaryAccuracy", {"threshold": 0.7}, "binary_flat"),
    ("CategoricalAccuracy", {}, "categorical"),
    ("SparseCategoricalAccuracy", {}, "sparse"),
    ("SparseCategoricalAccuracy", {}, "sparse_flat"),
    ("TopKCategoricalAccuracy", {"k": 2}, "categorical"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse_flat"),
    ("SparseTopKCategoricalAccuracy", {}, "sparse"),
    ("AUC", {}, "binary"),
    ("AUC", {"num_thresholds": 7, "curve": "PR"}, "binary"),
    ("AUC", {"curve": "PR", "summation_method": "minoring"}, "multilabel"),
    ("AUC", {"summation_method": "majoring"}, "binary"),
    ("AUC", {"curve": "PRGAIN"}, "binary"),
    ("AUC", {"multi_label": True}, "multilabel"),
    ("AUC", {"multi_label": True, "num_labels": CLASSES, "curve": "PR"}, "multilabel"),
    ("AUC", {"multi_label": True, "label_weights": [1.0, 2.0, 0.5, 0.0]}, "multilabel"),
    ("AUC", {"label_weights": [1.0, 2.0, 0.5, 0.0]}, "multilabel"),
    ("AUC", {"thresholds": [0.1, 0.5, 0.75]}, "binary"),
    ("AUC", {"thresholds": [0.25, 0.5, 0.75]}, "binary"),  # evenly spaced: the fast path
    ("AUC", {"from_logits": True}, "binary_logits"),
    ("Precision", {}, "binary"),
    ("Precision", {"thresholds": [0.2, 0.5, 0.9]}, "multilabel"),
    ("Precision", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "multilabel"),
    ("Precision", {"top_k": 2}, "multilabel"),
    ("Precision", {"class_id": 1}, "multilabel"),
    ("Recall", {}, "binary_flat"),
    ("Recall", {"top_k": 1, "class_id": 2}, "multilabel"),
    ("Recall", {"thresholds": 0.3, "top_k": 3}, "multilabel"),
    ("TruePositives", {}, "binary"),
    ("FalsePositives", {"thresholds": [0.3, 0.6]}, "binary"),
    ("TrueNegatives", {}, "multilabel"),
    ("FalseNegatives", {"thresholds": [0.0, 0.5, 1.0]}, "binary"),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, "binary"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.6, "num_thresholds": 1}, "binary"),
    ("PrecisionAtRecall", {"recall": 0.4, "class_id": 0}, "multilabel"),
    ("RecallAtPrecision", {"precision": 0.5}, "binary"),
    ("F1Score", {}, "multilabel"),
    ("F1Score", {"average": "macro", "threshold": 0.5}, "multilabel"),
    ("F1Score", {"average": "micro"}, "categorical"),
    ("FBetaScore", {"beta": 2.0, "average": "weighted"}, "multilabel"),
    ("FBetaScore", {"beta": 0.5, "threshold": 0.4}, "multilabel"),
    ("MeanIoU", {"num_classes": CLASSES}, "class_ids"),
    ("MeanIoU", {"num_classes": CLASSES, "ignore_class": 0}, "class_ids"),
    ("MeanIoU", {"num_classes": CLASSES, "dtype": "float32"}, "class_ids_float"),
    (
        "MeanIoU",
        {"num_classes": CLASSES, "sparse_y_true": False, "sparse_y_pred": False},
        "categorical",
    ),
    ("IoU", {"num_classes": CLASSES, "target_class_ids": [0, 2]}, "class_ids"),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3, "dtype": "float32"}, "binary"),
    (
        "OneHotIoU",
        {"num_classes": CLASSES, "target_class_ids": [1, 3], "dtype": "float32"},
        "categorical",
    ),
    ("OneHotMeanIoU", {"num_classes": CLASSES, "dtype": "float32"}, "categorical"),
    ("R2Score", {}, "regression"),
    (
        "R2Score",
        {"class_aggregation": "variance_weighted_average", "num_regressors": 2},
        "regression",
    ),
    ("R2Score", {"class_aggregation": None}, "regression"),
    ("MeanSquaredError", {}, "regression"),
    ("MeanAbsoluteError", {}, "regression"),
    ("RootMeanSquaredError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("CosineSimilarity", {}, "regression"),
    ("LogCoshError", {}, "regression"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "binary_logits"),
    ("CategoricalCrossentropy", {}, "categorical"),
    (
        "CategoricalCrossentropy",
        {"from_logits": True, "label_smoothing": 0.2},
        "categorical_logits",
    ),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": -1}, "sparse_ignore"),
    ("KLDivergence", {}, "probabilities"),
    ("Poisson", {}, "positive"),
    ("Hinge", {}, "binary_logits"),
    ("SquaredHinge", {}, "binary_logits"),
    ("CategoricalHinge", {}, "categorical_logits"),
    ("PearsonCorrelation", {}, "regression"),
    ("ConcordanceCorrelation", {}, "regression"),
]

# Metrics whose stateless path is also compiled with jax.jit: one per implementation family
# (compiling every row would dominate the suite's runtime).
JIT_CASES = {
    ("Mean", "values"),
    ("BinaryAccuracy", "binary"),
    ("AUC", "binary"),
    ("AUC", "multilabel"),
    ("Precision", "multilabel"),
    ("F1Score", "multilabel"),
    ("MeanIoU", "class_ids"),
    ("R2Score", "regression"),
    ("SparseCategoricalCrossentropy", "sparse_ignore"),
}


def _ids(cases):
    return [f"{name}-{kwargs}-{kind}" for name, kwargs, kind in cases]


def _args(y_true, y_pred):
    return (y_true,) if y_pred is None else (y_true, y_pred)


def _update(metric, batch, weighted=True):
    y_true, y_pred, weight = batch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras's float-weights-on-int-IoU warning
        metric.update_state(*_args(y_true, y_pred), sample_weight=weight if weighted else None)


def assert_close(ours, theirs, what):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != Keras's {theirs.shape}"
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=what)


# Both libraries warn when the adjusted R2 has too few samples (e.g. right after a reset).
@pytest.mark.filterwarnings("ignore:More independent predictors:UserWarning")
@pytest.mark.parametrize("name,kwargs,kind", METRIC_CASES, ids=_ids(METRIC_CASES))
def test_metric_matches_keras(keras, name, kwargs, kind):
    batches = make_batches(kind)
    ours = getattr(lamina_metrics, name)(**kwargs)
    theirs = getattr(keras.metrics, name)(**kwargs)
    # The first batch unweighted, the others weighted.
    for i, batch in enumerate(batches):
        _update(ours, batch, weighted=i > 0)
        _update(theirs, batch, weighted=i > 0)
    assert_close(ours.result(), theirs.result(), f"{name}({kwargs}) after 3 updates")

    ours.reset_state()
    theirs.reset_state()
    assert_close(ours.result(), theirs.result(), f"{name}({kwargs}) after reset_state")
    _update(ours, batches[1])
    _update(theirs, batches[1])
    assert_close(ours.result(), theirs.result(), f"{name}({kwargs}) after reset and update")

    # __call__ is update_state + result.
    assert_close(ours(*_args(*batches[2][:2])), theirs(*_args(*batches[2][:2])), f"{name} __call__")


@pytest.mark.parametrize("name,kwargs,kind", METRIC_CASES, ids=_ids(METRIC_CASES))
def test_stateless_path_equals_stateful(name, kwargs, kind):
    batches = make_batches(kind, seed=1)
    metric = getattr(lamina_metrics, name)(**kwargs)
    _update(metric, batches[0])  # metrics that size their state from the first batch build here
    metric.reset_state()
    before = [np.asarray(v.value) for v in metric.variables]

    def run(values, batches):
        for y_true, y_pred, weight in batches:
            values = metric.stateless_update_state(
                values, *_args(y_true, y_pred), sample_weight=weight
            )
        return values, metric.stateless_result(values)

    if (name, kind) in JIT_CASES:
        run = jax.jit(run)
    start = metric.stateless_reset_state()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values, result = run(start, batches)
    # The variables themselves are untouched by the stateless path...
    for variable, value in zip(metric.variables, before):
        np.testing.assert_array_equal(np.asarray(variable.value), value)
    # ...and its values and result equal the stateful path's.
    for batch in batches:
        _update(metric, batch)
    tolerance = {"rtol": 1e-5, "atol": 1e-6}  # XLA may fuse the jitted sums differently
    for variable, value in zip(metric.variables, values):
        np.testing.assert_allclose(np.asarray(value), np.asarray(variable.value), **tolerance)
    np.testing.assert_allclose(np.asarray(result), np.asarray(metric.result()), **tolerance)
