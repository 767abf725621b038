"""What `compile()` turns its `loss` and `metrics` arguments into, per model output.

Losses and metrics may be given once (applied to every output), as a list (by output position)
or as a dict (by output name). Strings resolve from the shapes of the first batch, as in Keras 3
(`"accuracy"` -> binary / categorical / sparse categorical accuracy).
"""

import jax.numpy as jnp

from lamina._src.losses.compile_strings import resolve_loss
from lamina._src.metrics.compile_strings import resolve_metric
from lamina._src.metrics.metric import Metric
from lamina._src.metrics.reduction import Mean
from lamina._src.utils import tree


def _per_output(spec, names: list[str], what: str, default=None) -> list:
    """`spec` (single, list or dict) -> one entry per output."""
    n = len(names)
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in names]
        if unknown:
            raise ValueError(
                f"compile(): the {what} dict has keys {unknown} that are not model outputs; the "
                f"outputs are {names}."
            )
        return [spec.get(name, default) for name in names]
    if isinstance(spec, list | tuple):
        if what == "metrics" and not any(isinstance(s, list | tuple | dict) for s in spec):
            return [list(spec) for _ in names]  # one flat list: the same metrics on every output
        if len(spec) != n:
            _fail(what, spec, names)
        return list(spec)
    return [spec] * n if spec is not None else [default] * n


def _fail(what, spec, names):
    raise ValueError(
        f"compile(): {what} was given as a list of {len(spec)} entries, but the model has "
        f"{len(names)} output(s) {names}. Give one entry per output, or a dict keyed by output name."
    )


def flatten_targets(y, names: list[str], what: str = "y"):
    """Targets as one array per output (a dict is matched by output name)."""
    if isinstance(y, dict):
        missing = [n for n in names if n not in y]
        if missing:
            raise ValueError(
                f"The {what} dict is missing entries for outputs {missing}; it has keys {sorted(y)}."
            )
        return [y[n] for n in names]
    flat = tree.flatten(y)
    if len(flat) != len(names):
        raise ValueError(
            f"The model has {len(names)} output(s) {names}, but {len(flat)} target array(s) were "
            f"given as `{what}`."
        )
    return flat


class CompileLoss:
    """The compiled loss: a weighted sum of one loss per output."""

    def __init__(self, loss, loss_weights=None):
        self.loss = loss
        self.loss_weights = loss_weights
        self.built = False

    def build(self, y_true, y_pred, output_names: list[str]):
        flat_pred = tree.flatten(y_pred)
        self.output_names = output_names
        flat_true = flatten_targets(y_true, output_names)
        specs = _per_output(self.loss, output_names, "loss")
        self.losses = [resolve_loss(spec, t.shape, p.shape)
                       for spec, t, p in zip(specs, flat_true, flat_pred)]
        if all(loss is None for loss in self.losses):
            raise ValueError("compile(): no loss was given for any output.")
        weights = _per_output(self.loss_weights, output_names, "loss_weights", default=1.0) \
            if self.loss_weights is not None else [1.0] * len(output_names)
        self.weights = [1.0 if w is None else float(w) for w in weights]
        self.built = True

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Returns `(total_loss, per_output_losses)`."""
        flat_pred = tree.flatten(y_pred)
        flat_true = flatten_targets(y_true, self.output_names)
        if sample_weight is None or not isinstance(sample_weight, list | tuple | dict):
            weights = [sample_weight] * len(flat_pred)
        else:
            weights = flatten_targets(sample_weight, self.output_names, "sample_weight")
        per_output, total = [], 0.0
        for loss, weight, t, p, sw in zip(self.losses, self.weights, flat_true, flat_pred, weights):
            if loss is None:
                per_output.append(None)
                continue
            value = loss(t, p, sample_weight=sw)
            per_output.append(value)
            total = total + weight * value
        return jnp.asarray(total), per_output


class CompileMetrics:
    """The compiled metrics of every output, each with its logged name."""

    def __init__(self, metrics=None, weighted_metrics=None):
        self.metrics_spec = metrics
        self.weighted_spec = weighted_metrics
        self.built = False
        self.metrics: list[Metric] = []
        self.weighted: list[bool] = []
        self.output_index: list[int] = []

    def build(self, y_true, y_pred, output_names: list[str]):
        flat_pred = tree.flatten(y_pred)
        flat_true = flatten_targets(y_true, output_names)
        multi = len(output_names) > 1
        for spec, weighted in ((self.metrics_spec, False), (self.weighted_spec, True)):
            if not spec:
                continue
            per_output = _per_output(spec, output_names, "metrics")
            for index, (entries, t, p) in enumerate(zip(per_output, flat_true, flat_pred)):
                for entry in tree.flatten(entries) if isinstance(entries, list | tuple) else [entries]:
                    if entry is None:
                        continue
                    metric = resolve_metric(entry, t.shape, p.shape)
                    if multi:
                        metric.name = f"{output_names[index]}_{metric.name}"
                    self.metrics.append(metric)
                    self.weighted.append(weighted)
                    self.output_index.append(index)
        self.built = True

    @property
    def variables(self):
        return [v for m in self.metrics for v in m.variables]

    def stateless_update(self, values, y_true, y_pred, sample_weight, output_names):
        flat_pred = tree.flatten(y_pred)
        flat_true = flatten_targets(y_true, output_names)
        if sample_weight is None or not isinstance(sample_weight, list | tuple | dict):
            weights = [sample_weight] * len(flat_pred)
        else:
            weights = flatten_targets(sample_weight, output_names, "sample_weight")
        new, offset = [], 0
        for metric, weighted, index in zip(self.metrics, self.weighted, self.output_index):
            count = len(metric.variables)
            own = values[offset:offset + count]
            offset += count
            kwargs = {"sample_weight": weights[index]} if weighted and weights[index] is not None else {}
            new.extend(metric.stateless_update_state(own, flat_true[index], flat_pred[index], **kwargs))
        return new

    def stateless_results(self, values) -> dict:
        results, offset = {}, 0
        for metric in self.metrics:
            count = len(metric.variables)
            result = metric.stateless_result(values[offset:offset + count])
            offset += count
            if isinstance(result, dict):
                results.update(result)
            else:
                results[metric.name] = result
        return results


def make_loss_trackers(output_names: list[str]) -> list[Mean]:
    """The `loss` mean, plus `<output>_loss` per output for multi-output models (Keras 3)."""
    trackers = [Mean(name="loss")]
    if len(output_names) > 1:
        trackers += [Mean(name=f"{name}_loss") for name in output_names]
    return trackers
