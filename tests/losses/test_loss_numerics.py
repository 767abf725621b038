"""Every loss class and function against real Keras 3 on the same random float32 inputs.

Each table row is a loss (with constructor arguments) and the kind of data it expects; every row
is checked under every reduction, with and without sample weights, within 1e-6 relative.
"""

import warnings

import jax.numpy as jnp
import numpy as np
import pytest

import lamina.losses as lamina_losses

BATCH, CLASSES = 8, 4  # the metric tests' shapes too, so compiled ops are shared
# "mean" and None are aliases of "sum_over_batch_size" and "none": test_reduction_aliases
# checks them, once per family, rather than on every row.
REDUCTIONS = ["sum_over_batch_size", "sum", "mean_with_sample_weight", "none"]
ALL_REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None]
RTOL, ATOL = 1e-6, 1e-7


def make_data(kind: str, seed: int = 0):
    """`(y_true, y_pred)` float32 arrays of the kind a loss expects."""
    rng = np.random.default_rng(seed)
    shape = (BATCH, CLASSES)
    f32 = np.float32
    if kind == "regression":
        return rng.normal(size=shape).astype(f32), rng.normal(size=shape).astype(f32)
    if kind == "positive":
        return rng.uniform(0.1, 3, shape).astype(f32), rng.uniform(0.1, 3, shape).astype(f32)
    if kind == "probabilities":
        return rng.uniform(size=shape).astype(f32), rng.uniform(0.01, 1, shape).astype(f32)
    if kind == "binary":  # includes predictions of exactly 0 and 1, to exercise the clipping
        y_pred = rng.uniform(size=shape).astype(f32)
        y_pred[0, :2] = [0.0, 1.0]
        return rng.integers(0, 2, shape).astype(f32), y_pred
    if kind == "binary_logits":
        return rng.integers(0, 2, shape).astype(f32), rng.normal(0, 3, shape).astype(f32)
    if kind == "binary_column":  # (batch,) targets with (batch, 1) predictions
        return rng.integers(0, 2, (BATCH,)).astype(f32), rng.uniform(size=(BATCH, 1)).astype(f32)
    if kind == "categorical":
        labels = rng.integers(0, CLASSES, BATCH)
        return np.eye(CLASSES, dtype=f32)[labels], rng.uniform(0, 1, shape).astype(f32)
    if kind == "categorical_logits":
        labels = rng.integers(0, CLASSES, BATCH)
        return np.eye(CLASSES, dtype=f32)[labels], rng.normal(0, 3, shape).astype(f32)
    if kind == "sparse":
        return rng.integers(0, CLASSES, BATCH).astype(f32), rng.uniform(size=shape).astype(f32)
    if kind == "sparse_column":
        return (
            rng.integers(0, CLASSES, (BATCH, 1)).astype(f32),
            rng.normal(size=shape).astype(f32),
        )
    if kind == "sparse_ignore":  # label -1 marks padding
        labels = rng.integers(-1, CLASSES, BATCH)
        labels[:2] = [-1, 0]
        return labels.astype(f32), rng.normal(size=shape).astype(f32)
    if kind == "sparse_sequence_ignore":  # (batch, time) labels, (batch, time, classes) logits
        labels = rng.integers(-1, CLASSES, (BATCH, 3))
        labels[0, 0] = -1
        return labels.astype(f32), rng.normal(size=(BATCH, 3, CLASSES)).astype(f32)
    if kind == "hinge_pm1":
        return rng.choice([-1.0, 1.0], shape).astype(f32), rng.normal(size=shape).astype(f32)
    if kind == "segmentation":
        return rng.integers(0, 2, shape).astype(f32), rng.uniform(size=shape).astype(f32)
    raise AssertionError(kind)


# (class name, constructor kwargs, data kind)
LOSS_CASES = [
    ("MeanSquaredError", {}, "regression"),
    ("MeanAbsoluteError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("Huber", {}, "regression"),
    ("Huber", {"delta": 0.3}, "regression"),
    ("LogCosh", {}, "regression"),
    ("CosineSimilarity", {}, "regression"),
    ("CosineSimilarity", {"axis": 0}, "regression"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"label_smoothing": 0.2}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True}, "binary_logits"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "binary_logits"),
    ("BinaryCrossentropy", {"axis": 0}, "binary"),
    ("BinaryCrossentropy", {}, "binary_column"),
    ("CategoricalCrossentropy", {}, "categorical"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.1}, "categorical"),
    ("CategoricalCrossentropy", {"from_logits": True}, "categorical_logits"),
    (
        "CategoricalCrossentropy",
        {"from_logits": True, "label_smoothing": 0.3},
        "categorical_logits",
    ),
    ("CategoricalCrossentropy", {"axis": 0}, "categorical"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_column"),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": -1}, "sparse_ignore"),
    ("SparseCategoricalCrossentropy", {"ignore_class": -1}, "sparse_ignore"),
    (
        "SparseCategoricalCrossentropy",
        {"from_logits": True, "ignore_class": -1},
        "sparse_sequence_ignore",
    ),
    ("BinaryFocalCrossentropy", {}, "binary"),
    (
        "BinaryFocalCrossentropy",
        {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5, "label_smoothing": 0.1},
        "binary",
    ),
    ("BinaryFocalCrossentropy", {"from_logits": True, "gamma": 3.0}, "binary_logits"),
    ("CategoricalFocalCrossentropy", {}, "categorical"),
    (
        "CategoricalFocalCrossentropy",
        {"alpha": 0.5, "gamma": 1.0, "label_smoothing": 0.2},
        "categorical",
    ),
    ("CategoricalFocalCrossentropy", {"from_logits": True}, "categorical_logits"),
    ("KLDivergence", {}, "probabilities"),
    ("Poisson", {}, "positive"),
    ("Hinge", {}, "binary_logits"),
    ("Hinge", {}, "hinge_pm1"),
    ("SquaredHinge", {}, "binary_logits"),
    ("SquaredHinge", {}, "hinge_pm1"),
    ("CategoricalHinge", {}, "categorical_logits"),
    ("Dice", {}, "segmentation"),
    ("Dice", {"axis": 1}, "segmentation"),
    ("Tversky", {"alpha": 0.3, "beta": 0.7}, "segmentation"),
    ("Tversky", {"axis": 1}, "segmentation"),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.3}, "sparse"),
]


def _ids(cases):
    return [f"{name}-{kwargs}-{kind}" for name, kwargs, kind in cases]


def _sample_weights(y_true, seed):
    rng = np.random.default_rng(seed + 100)
    per_sample = rng.uniform(0, 2, y_true.shape[0]).astype(np.float32)
    per_sample[1] = 0.0
    options = {"none": None, "per_sample": per_sample}
    if y_true.ndim == 2 and y_true.shape[1] == 3:  # sequence labels: one weight per step
        options["per_step"] = rng.uniform(0, 2, y_true.shape).astype(np.float32)
    return options


def assert_close(ours, theirs, what):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != Keras's {theirs.shape}"
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=what)


@pytest.mark.parametrize("name,kwargs,kind", LOSS_CASES, ids=_ids(LOSS_CASES))
def test_loss_class_matches_keras(keras, name, kwargs, kind):
    y_true, y_pred = make_data(kind)
    for reduction in REDUCTIONS:
        ours = getattr(lamina_losses, name)(reduction=reduction, **kwargs)
        theirs = getattr(keras.losses, name)(reduction=reduction, **kwargs)
        for weight_name, weight in _sample_weights(y_true, 0).items():
            what = f"{name}({kwargs}) reduction={reduction} sample_weight={weight_name}"
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    expected = theirs(y_true, y_pred, sample_weight=weight)
            except (ValueError, TypeError):
                # Keras rejects these shapes (e.g. per-sample weights on a per-class loss):
                # so must lamina.
                with pytest.raises((ValueError, TypeError)):
                    ours(y_true, y_pred, sample_weight=weight)
                continue
            assert_close(ours(y_true, y_pred, sample_weight=weight), expected, what)


# (function name, kwargs, data kind): the functional forms, unreduced.
FUNCTION_CASES = [
    ("mean_squared_error", {}, "regression"),
    ("mean_absolute_error", {}, "regression"),
    ("mean_absolute_percentage_error", {}, "regression"),
    ("mean_squared_logarithmic_error", {}, "positive"),
    ("huber", {"delta": 0.5}, "regression"),
    ("log_cosh", {}, "regression"),
    ("cosine_similarity", {"axis": -1}, "regression"),
    ("binary_crossentropy", {}, "binary"),
    ("binary_crossentropy", {"from_logits": True, "label_smoothing": 0.2}, "binary_logits"),
    ("categorical_crossentropy", {}, "categorical"),
    (
        "categorical_crossentropy",
        {"from_logits": True, "label_smoothing": 0.1},
        "categorical_logits",
    ),
    ("sparse_categorical_crossentropy", {}, "sparse"),
    ("sparse_categorical_crossentropy", {"from_logits": True}, "sparse_column"),
    ("sparse_categorical_crossentropy", {"from_logits": True, "ignore_class": -1}, "sparse_ignore"),
    ("binary_focal_crossentropy", {"apply_class_balancing": True}, "binary"),
    ("binary_focal_crossentropy", {"from_logits": True}, "binary_logits"),
    ("categorical_focal_crossentropy", {"gamma": 3.0}, "categorical"),
    ("categorical_focal_crossentropy", {"from_logits": True}, "categorical_logits"),
    ("kl_divergence", {}, "probabilities"),
    ("poisson", {}, "positive"),
    ("hinge", {}, "binary_logits"),
    ("squared_hinge", {}, "hinge_pm1"),
    ("categorical_hinge", {}, "categorical_logits"),
    ("dice", {"axis": 1}, "segmentation"),
    ("tversky", {"alpha": 0.2, "beta": 0.8, "axis": 1}, "segmentation"),
    ("categorical_generalized_cross_entropy", {"q": 0.6}, "sparse"),
]


@pytest.mark.parametrize("name,kwargs,kind", FUNCTION_CASES, ids=_ids(FUNCTION_CASES))
def test_loss_function_matches_keras(keras, name, kwargs, kind):
    y_true, y_pred = make_data(kind, seed=1)
    ours = getattr(lamina_losses, name)(y_true, y_pred, **kwargs)
    # Keras's functions want backend arrays (its sparse crossentropy reads `.shape`).
    expected = getattr(keras.losses, name)(jnp.asarray(y_true), jnp.asarray(y_pred), **kwargs)
    assert_close(ours, expected, f"{name}({kwargs})")


def test_prediction_mask_matches_keras(keras):
    """A Keras mask on y_pred (a Masking layer's output) leaves masked samples out."""
    from keras.src.backend import set_keras_mask

    y_true, y_pred = make_data("regression", seed=2)
    mask = np.array([True, False, True, True, False, True, True, False])
    for reduction in ALL_REDUCTIONS:
        for weight in (None, np.linspace(0.5, 2, BATCH).astype(np.float32)):
            y_pred_masked = jnp.asarray(y_pred)
            set_keras_mask(y_pred_masked, jnp.asarray(mask))  # the attribute both libraries read
            expected = keras.losses.MeanSquaredError(reduction=reduction)(
                y_true, y_pred_masked, sample_weight=weight
            )
            ours = lamina_losses.MeanSquaredError(reduction=reduction)(
                y_true, y_pred_masked, sample_weight=weight
            )
            assert_close(ours, expected, f"masked MSE reduction={reduction}")


@pytest.mark.parametrize(
    "name,kwargs,kind",
    [
        ("MeanSquaredError", {}, "regression"),
        (
            "SparseCategoricalCrossentropy",
            {"from_logits": True, "ignore_class": -1},
            "sparse_sequence_ignore",
        ),
        ("CategoricalCrossentropy", {"label_smoothing": 0.1}, "categorical"),
    ],
)
def test_reduction_aliases(keras, name, kwargs, kind):
    y_true, y_pred = make_data(kind, seed=3)
    weight_shape = y_true.shape if kind.startswith("sparse") else (BATCH,)  # per step / sample
    weight = np.linspace(0, 2, np.prod(weight_shape)).reshape(weight_shape).astype(np.float32)
    for reduction in ("mean", None):
        ours = getattr(lamina_losses, name)(reduction=reduction, **kwargs)
        theirs = getattr(keras.losses, name)(reduction=reduction, **kwargs)
        for w in (None, weight):
            assert_close(
                ours(y_true, y_pred, sample_weight=w),
                theirs(y_true, y_pred, sample_weight=w),
                f"{name} reduction={reduction}",
            )


def test_integer_targets_and_python_lists(keras):
    y_true = [[0, 1], [1, 1], [0, 0]]
    y_pred = [[0.3, 0.9], [0.6, 0.2], [0.1, 0.4]]
    for name in ("BinaryCrossentropy", "MeanSquaredError", "Hinge"):
        assert_close(
            getattr(lamina_losses, name)()(y_true, y_pred),
            getattr(keras.losses, name)()(y_true, y_pred),
            name,
        )
