"""`models.model_from_json`: a model (uncompiled, fresh weights) from `model.to_json()` text."""

import json

from lamina._src.saving.errors import LoadError


def model_from_json(json_string: str, custom_objects=None):
    """Rebuild a model from its JSON config (Keras 3 or tf.keras 2 form)."""
    from lamina._src.saving.saving_api import model_from_envelope

    try:
        envelope = json.loads(json_string)
    except json.JSONDecodeError as e:
        raise LoadError(f"model_from_json: the text is not valid JSON ({e}).") from e
    return model_from_envelope(envelope, custom_objects=custom_objects)
