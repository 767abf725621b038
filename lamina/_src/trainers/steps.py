"""The pure train / test / predict steps that `fit`, `evaluate` and `predict` compile.

Each step is a function of flat lists of arrays (no Variable is touched), in the orders of
`model.trainable_variables`, `model.non_trainable_variables`, `optimizer.variables` and the
metric variables. `TrainState` bundles those four lists.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp

from lamina._src.backend import autodiff
from lamina._src.utils import tree


class TrainState(NamedTuple):
    trainable: list
    non_trainable: list
    optimizer: list
    metrics: list


def _batch_size(x) -> int:
    leaves = [v for v in tree.flatten(x) if v is not None]
    return leaves[0].shape[0]


def update_metrics(model, metric_values, loss, per_output, y, y_pred, sample_weight):
    """Loss trackers (weighted by batch size, as Keras) then the compiled metrics."""
    trackers = model._loss_trackers
    batch = jnp.asarray(_batch_size(y_pred), "float32")
    new, offset = [], 0
    for tracker, value in zip(trackers, [loss, *per_output]):
        count = len(tracker.variables)
        own = metric_values[offset:offset + count]
        offset += count
        if value is None:
            new.extend(own)
            continue
        new.extend(tracker.stateless_update_state(own, value, sample_weight=batch))
    compiled = model._compile_metrics
    if compiled is not None and compiled.metrics:
        new.extend(compiled.stateless_update(metric_values[offset:], y, y_pred, sample_weight,
                                             model._output_names()))
    return new


def compute_loss(model, x, y, sample_weight, trainable, non_trainable, training):
    y_pred, new_non_trainable, extra = model.stateless_call(
        trainable, non_trainable, x, training=training, return_losses=True)
    loss, per_output = model._compile_loss(y, y_pred, sample_weight)
    if extra:
        loss = loss + sum(jnp.asarray(v, loss.dtype) for v in extra)
    return loss, (y_pred, new_non_trainable, per_output)


def train_step(model, state: TrainState, data) -> TrainState:
    x, y, sample_weight = data

    def objective(trainable):
        loss, aux = compute_loss(model, x, y, sample_weight, trainable, state.non_trainable, True)
        return model.optimizer.scale_loss(loss), (loss, aux)

    with autodiff.reverse_mode_only():  # ops may take their faster custom_vjp gradients
        (_, (loss, (y_pred, non_trainable, per_output))), grads = jax.value_and_grad(
            objective, has_aux=True)(state.trainable)
    trainable, optimizer = model.optimizer.stateless_apply(state.optimizer, grads, state.trainable)
    metrics = update_metrics(model, state.metrics, loss, per_output, y, y_pred, sample_weight)
    return TrainState(trainable, non_trainable, optimizer, metrics)


def test_step(model, state: TrainState, data) -> TrainState:
    x, y, sample_weight = data
    loss, (y_pred, non_trainable, per_output) = compute_loss(
        model, x, y, sample_weight, state.trainable, state.non_trainable, False)
    metrics = update_metrics(model, state.metrics, loss, per_output, y, y_pred, sample_weight)
    return TrainState(state.trainable, state.non_trainable, state.optimizer, metrics)


def predict_step(model, trainable, non_trainable, x):
    y_pred, _ = model.stateless_call(trainable, non_trainable, x, training=False)
    return y_pred


def metric_results(model, metric_values) -> dict:
    """Every logged value, from the metric state (run on device; fetched at log points only)."""
    results, offset = {}, 0
    for tracker in model._loss_trackers:
        count = len(tracker.variables)
        results[tracker.name] = tracker.stateless_result(metric_values[offset:offset + count])
        offset += count
    if model._compile_metrics is not None and model._compile_metrics.metrics:
        results.update(model._compile_metrics.stateless_results(metric_values[offset:]))
    return results
