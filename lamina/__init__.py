"""lamina: Keras-compatible deep learning on JAX. `import lamina as keras`.

The namespaces below load on first use (PEP 562), so `import lamina` itself does not import
JAX: the `lamina` command's `inspect` and `diff`, which read files with h5py and JSON alone,
start in a fraction of a second. `lamina.layers`, `lamina.Sequential`, ... import what they
need the first time they are touched; after that they are ordinary module attributes.
"""

import importlib

from lamina._src.version import __version__ as __version__

# The public namespaces (lamina/<name>.py or lamina/<name>/).
_NAMESPACES = (
    "activations", "backend", "callbacks", "config", "constraints", "datasets", "initializers",
    "layers", "losses", "metrics", "models", "ops", "optimizers", "regularizers", "saving",
    "utils",
)
# Top-level names -> the module that defines them.
_OBJECTS = {
    "Input": "lamina._src.layers.input_layer",
    "Layer": "lamina._src.layers.layer",
    "Model": "lamina._src.models.model",
    "Sequential": "lamina._src.models.sequential",
    "Variable": "lamina._src.backend.variables",
}

__all__ = ["__version__", *_NAMESPACES, *_OBJECTS]


def __getattr__(name: str):
    if name in _NAMESPACES:
        value = importlib.import_module(f"lamina.{name}")
    elif name in _OBJECTS:
        value = getattr(importlib.import_module(_OBJECTS[name]), name)
    else:
        raise AttributeError(f"module 'lamina' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
