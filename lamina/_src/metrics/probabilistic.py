"""Probabilistic metrics: crossentropies, KL divergence and Poisson, averaged over samples."""

from lamina._src.losses.crossentropy import (
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
)
from lamina._src.losses.divergence import kl_divergence, poisson
from lamina._src.metrics.reduction import MeanMetricWrapper
from lamina._src.saving.registry import register


@register("metrics")
class KLDivergence(MeanMetricWrapper):
    """The mean Kullback-Leibler divergence from `y_true` to `y_pred`.

    Args:
        name: the metric's name.
        dtype: the dtype of the running totals.
    """

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(fn=kl_divergence, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


@register("metrics")
class Poisson(MeanMetricWrapper):
    """The mean Poisson loss `y_pred - y_true * log(y_pred)`. Args as `KLDivergence`."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(fn=poisson, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


@register("metrics")
class BinaryCrossentropy(MeanMetricWrapper):
    """The mean binary crossentropy.

    Args:
        name: the metric's name.
        dtype: the dtype of the running totals.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; squeezes targets towards 0.5.
    """

    def __init__(
        self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0
    ):
        super().__init__(
            binary_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self._direction = "down"

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
        }


@register("metrics")
class CategoricalCrossentropy(MeanMetricWrapper):
    """The mean categorical crossentropy, for one-hot targets.

    Args:
        name: the metric's name.
        dtype: the dtype of the running totals.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; mixes the targets with the uniform distribution.
        axis: the class axis.
    """

    def __init__(
        self,
        name="categorical_crossentropy",
        dtype=None,
        from_logits=False,
        label_smoothing=0,
        axis=-1,
    ):
        super().__init__(
            categorical_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self._direction = "down"

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


@register("metrics")
class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The mean categorical crossentropy, for integer labels.

    Args:
        name: the metric's name.
        dtype: the dtype of the running totals.
        from_logits: whether `y_pred` holds logits.
        ignore_class: a label value left out of the average when sample weights are given
            (as in Keras; without weights its entries count as 0).
        axis: the class axis.
    """

    def __init__(
        self,
        name="sparse_categorical_crossentropy",
        dtype=None,
        from_logits=False,
        ignore_class=None,
        axis=-1,
    ):
        super().__init__(
            sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis
        self._direction = "down"

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
            "axis": self.axis,
        }
