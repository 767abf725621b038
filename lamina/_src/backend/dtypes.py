"""Dtype names and `DTypePolicy` (the seam for mixed precision)."""

import jax.numpy as jnp
import numpy as np

from lamina._src.backend import config

# Names Keras accepts, and the canonical name each maps to.
_ALIASES = {
    "float": "float32",
    "double": "float64",
    "half": "float16",
    "int": "int32",
    "bool_": "bool",
}
FLOAT_TYPES = ("bfloat16", "float16", "float32", "float64")


def standardize_dtype(dtype) -> str:
    """Any dtype spelling (`np.float32`, `"float32"`, `jnp.int32`, a policy) -> its name."""
    if dtype is None:
        return config.floatx()
    if isinstance(dtype, DTypePolicy):
        return dtype.compute_dtype
    if isinstance(dtype, str):
        name = _ALIASES.get(dtype, dtype)
    elif hasattr(dtype, "name") and not isinstance(dtype, type):
        name = dtype.name
    else:
        name = np.dtype(dtype).name if dtype is not jnp.bfloat16 else "bfloat16"
    try:
        np.dtype(jnp.dtype(name))
    except TypeError as e:
        raise ValueError(f"Invalid dtype: {dtype!r}") from e
    return name


def is_float_dtype(dtype) -> bool:
    return standardize_dtype(dtype) in FLOAT_TYPES


class DTypePolicy:
    """Which dtype a layer computes in and which it stores its variables in.

    `"float32"` computes and stores in float32; `"mixed_float16"` and `"mixed_bfloat16"` store
    variables in float32 and compute in the half type.
    """

    def __init__(self, name: str | None = None):
        name = config.floatx() if name is None else name
        if name in ("mixed_float16", "mixed_bfloat16"):
            self._compute_dtype = name.split("_")[1]
            self._variable_dtype = "float32"
        else:
            self._compute_dtype = self._variable_dtype = standardize_dtype(name)
            name = self._compute_dtype
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._variable_dtype

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'

    def get_config(self) -> dict:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> "DTypePolicy":
        return cls(**config)


_GLOBAL_POLICY: DTypePolicy | None = None


def dtype_policy() -> DTypePolicy:
    """The global policy new layers use when given no `dtype`."""
    return _GLOBAL_POLICY or DTypePolicy(config.floatx())


def set_dtype_policy(policy) -> None:
    global _GLOBAL_POLICY
    _GLOBAL_POLICY = policy if isinstance(policy, DTypePolicy) or policy is None else DTypePolicy(policy)


def get_policy(dtype) -> DTypePolicy:
    """A layer's `dtype` argument (None, a name, a policy, or a serialized policy) -> a policy."""
    if dtype is None:
        return dtype_policy()
    if isinstance(dtype, DTypePolicy):
        return dtype
    if isinstance(dtype, dict):  # {"class_name": "DTypePolicy" | "Policy", "config": {"name": ...}}
        return DTypePolicy(dtype.get("config", {}).get("name"))
    if isinstance(dtype, str):
        return DTypePolicy(dtype)
    return DTypePolicy(standardize_dtype(dtype))
