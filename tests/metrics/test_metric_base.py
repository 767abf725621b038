"""The `Metric` base class, weighting and masking rules, and `compile()`'s metric strings."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import lamina.metrics as lamina_metrics
from lamina._src.metrics.compile_strings import resolve_accuracy, resolve_metric


class BatchCount(lamina_metrics.Metric):
    def __init__(self, name="batch_count", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")
        self.inner = lamina_metrics.Sum(name="inner_sum")

    def update_state(self, values, sample_weight=None):
        self.count.assign_add(1.0)
        self.inner.update_state(values)

    def result(self):
        return self.count.value + 0 * self.inner.result()


def test_custom_metric_tracks_own_and_nested_variables():
    metric = BatchCount()
    assert [v.path for v in metric.variables] == ["batch_count/count", "inner_sum/total"]
    metric.update_state([1.0, 2.0])
    assert float(metric([3.0])) == 2.0
    assert float(metric.inner.result()) == 6.0
    metric.reset_state()
    assert [float(v.value) for v in metric.variables] == [0.0, 0.0]
    assert metric.get_config() == {"name": "batch_count", "dtype": "float32"}
    assert repr(metric) == "<BatchCount name=batch_count>"


def test_stateless_path_is_pure_and_jittable():
    metric = BatchCount()
    values = metric.stateless_reset_state()
    step = jax.jit(lambda v, x: metric.stateless_update_state(v, x))
    values = step(values, jnp.ones(3))
    values = step(values, jnp.ones(3))
    assert [float(v) for v in values] == [2.0, 6.0]
    assert float(metric.stateless_result(values)) == 2.0
    assert [float(v.value) for v in metric.variables] == [0.0, 0.0]  # untouched


def test_stateless_path_checks_the_number_of_values():
    with pytest.raises(ValueError, match="has 2 variables, but 1 values"):
        lamina_metrics.Mean().stateless_update_state([jnp.zeros(())], [1.0])
    with pytest.raises(ValueError, match="has 2 variables"):
        lamina_metrics.Mean().stateless_result([])


def test_initializers_and_errors():
    class Ones(lamina_metrics.Metric):
        def __init__(self):
            super().__init__(name="ones")
            self.a = self.add_variable((2,), "ones", name="a")
            self.b = self.add_variable(
                (2,), lambda shape, dtype: jnp.full(shape, 3, dtype), name="b"
            )
            self.c = self.add_weight((), name="c")

    metric = Ones()
    assert [v.value.tolist() for v in metric.variables] == [[1.0, 1.0], [3.0, 3.0], 0.0]

    class NoSuper(lamina_metrics.Metric):
        def __init__(self):
            self.x = self.add_variable((), "zeros", name="x")

    with pytest.raises(RuntimeError, match="super"):
        NoSuper()
    with pytest.raises(ValueError, match="glorot_mystery"):
        Ones().add_variable((), "glorot_mystery", name="z")
    with pytest.raises(NotImplementedError, match="update_state"):
        lamina_metrics.Metric().update_state()


def test_mean_reduces_weighted_values_like_keras(keras):
    rng = np.random.default_rng(3)
    values = rng.normal(size=(4, 3, 2)).astype("float32")
    for weight in (
        None,
        rng.uniform(size=4),
        rng.uniform(size=(4, 3)),
        rng.uniform(size=(4, 3, 2)),
    ):
        for cls in ("Mean", "Sum"):
            ours, theirs = getattr(lamina_metrics, cls)(), getattr(keras.metrics, cls)()
            ours.update_state(values, sample_weight=weight)
            theirs.update_state(values, sample_weight=weight)
            np.testing.assert_allclose(ours.result(), theirs.result(), rtol=1e-6)


def test_prediction_mask_matches_keras(keras):
    from keras.src.backend import set_keras_mask

    y_true = np.zeros((4, 3), "float32")
    y_pred = jnp.arange(12, dtype="float32").reshape(4, 3)
    set_keras_mask(y_pred, jnp.array([True, False, True, True]))
    for weight in (None, np.array([1.0, 2.0, 3.0, 0.5], "float32")):
        ours, theirs = lamina_metrics.MeanSquaredError(), keras.metrics.MeanSquaredError()
        ours.update_state(y_true, y_pred, sample_weight=weight)
        theirs.update_state(y_true, y_pred, sample_weight=weight)
        np.testing.assert_allclose(ours.result(), theirs.result(), rtol=1e-6)


def test_ignore_class_is_masked_with_weights_like_keras(keras):
    labels = np.array([[0, -1, 2], [1, 1, -1]], "float32")
    logits = np.random.default_rng(4).normal(size=(2, 3, 3)).astype("float32")
    # Per-step weights: like Keras, per-sample (2,) weights do not broadcast against the mask.
    for weight in (None, np.array([[1.0, 0.5, 2.0], [0.0, 1.0, 1.0]], "float32")):
        kwargs = {"from_logits": True, "ignore_class": -1}
        ours = lamina_metrics.SparseCategoricalCrossentropy(**kwargs)
        theirs = keras.metrics.SparseCategoricalCrossentropy(**kwargs)
        ours.update_state(labels, logits, sample_weight=weight)
        theirs.update_state(labels, logits, sample_weight=weight)
        np.testing.assert_allclose(ours.result(), theirs.result(), rtol=1e-6)


def test_metric_functions_match_keras(keras):
    rng = np.random.default_rng(5)
    one_hot = np.eye(4, dtype="float32")[rng.integers(0, 4, 8)]
    scores = rng.uniform(size=(8, 4)).astype("float32")
    labels = one_hot.argmax(-1)
    cases = [
        ("binary_accuracy", (one_hot, scores), {"threshold": 0.4}),
        ("categorical_accuracy", (one_hot, scores), {}),
        ("sparse_categorical_accuracy", (labels, scores), {}),
        ("top_k_categorical_accuracy", (one_hot, scores), {"k": 2}),
        ("sparse_top_k_categorical_accuracy", (labels, scores), {"k": 3}),
        (
            "sparse_top_k_categorical_accuracy",
            (labels, np.argsort(-scores, -1)),
            {"k": 2, "from_sorted_ids": True},
        ),
        ("pearson_correlation", (scores, one_hot), {}),
        ("concordance_correlation", (scores, one_hot), {}),
    ]
    for name, args, kwargs in cases:
        ours = getattr(lamina_metrics, name)(*args, **kwargs)
        theirs = getattr(keras.metrics, name)(*(jnp.asarray(a) for a in args), **kwargs)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, err_msg=name)


@pytest.mark.parametrize(
    "y_true_shape,y_pred_shape,expected",
    [
        ((8, 1), (8, 1), "BinaryAccuracy"),
        ((8,), (8, 1), "BinaryAccuracy"),
        ((8,), (8, 10), "SparseCategoricalAccuracy"),
        ((8, 1), (8, 10), "SparseCategoricalAccuracy"),
        ((8, 5), (8, 5, 7), "SparseCategoricalAccuracy"),
        ((8, 10), (8, 10), "CategoricalAccuracy"),
        ((8, 3), (8, 3), "CategoricalAccuracy"),  # whatever the loss: Keras 3 ignores it
    ],
)
def test_accuracy_string_follows_keras(keras, y_true_shape, y_pred_shape, expected):
    from keras.src.trainers import compile_utils

    y_true, y_pred = np.zeros(y_true_shape, "float32"), np.zeros(y_pred_shape, "float32")
    for identifier in ("accuracy", "acc", "Accuracy"):
        ours = resolve_accuracy(identifier, y_true_shape, y_pred_shape)
        theirs = compile_utils.get_metric(identifier, y_true, y_pred)
        assert type(ours).__name__ == type(theirs).__name__ == expected
        assert ours.name == theirs.name == identifier
        assert type(resolve_metric(identifier, y_true_shape, y_pred_shape)).__name__ == expected


def test_resolve_metric_other_identifiers(keras):
    from keras.src.trainers import compile_utils

    for identifier in ("mse", "auc", "mean_absolute_error", "Precision"):
        ours = resolve_metric(identifier, (4, 1), (4, 1))
        theirs = compile_utils.get_metric(identifier, np.zeros((4, 1)), np.zeros((4, 1)))
        assert type(ours).__name__ == type(theirs).__name__
        assert ours.name == theirs.name == identifier
    wrapped = resolve_metric(lamina_metrics.binary_accuracy, (4, 1), (4, 1))
    assert isinstance(wrapped, lamina_metrics.MeanMetricWrapper)
    assert wrapped.name == "binary_accuracy"
    auc = lamina_metrics.AUC(name="my_auc")
    assert resolve_metric(auc, (4, 1), (4, 1)) is auc and auc.name == "my_auc"
    with pytest.raises(ValueError, match="None"):
        resolve_metric(None, (4, 1), (4, 1))
    with pytest.raises(ValueError, match="'accuracy' or 'acc'"):
        resolve_accuracy("mse", (4, 1), (4, 1))
