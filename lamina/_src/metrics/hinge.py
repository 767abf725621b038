"""Hinge metrics: the mean hinge, squared hinge and categorical hinge losses."""

from lamina._src.losses.hinge import categorical_hinge, hinge, squared_hinge
from lamina._src.metrics.reduction import MeanMetricWrapper
from lamina._src.saving.registry import register


class _HingeMetric(MeanMetricWrapper):
    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


@register("metrics")
class Hinge(_HingeMetric):
    """The mean hinge loss (0/1 labels are mapped to -1/1).

    Args:
        name: the metric's name.
        dtype: the dtype of the running totals.
    """

    def __init__(self, name="hinge", dtype=None):
        super().__init__(fn=hinge, name=name, dtype=dtype)
        self._direction = "down"


@register("metrics")
class SquaredHinge(_HingeMetric):
    """The mean squared hinge loss. Args as `Hinge`."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(fn=squared_hinge, name=name, dtype=dtype)
        self._direction = "down"


@register("metrics")
class CategoricalHinge(_HingeMetric):
    """The mean categorical hinge loss, for one-hot labels. Args as `Hinge`."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(fn=categorical_hinge, name=name, dtype=dtype)
        self._direction = "down"
