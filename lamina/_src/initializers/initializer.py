"""`Initializer`: the base of everything that makes a weight's starting value."""

import jax

from lamina._src.saving.registry import register


@register("initializers", "initializer")
class Initializer:
    """Makes an array of a given shape and dtype: `initializer(shape, dtype=None)`.

    Subclasses implement `__call__` and, when they take constructor arguments, `get_config`
    returning all of them, so that `from_config(get_config())` rebuilds an equal initializer.

    Example:
        class Halves(lamina.initializers.Initializer):
            def __call__(self, shape, dtype=None):
                return lamina.ops.full(shape, 0.5, dtype=dtype)
    """

    def __call__(self, shape, dtype=None) -> jax.Array:
        """Return a `jax.Array` of `shape` and `dtype` (default `floatx()`, "float32")."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `__call__(self, shape, dtype=None)`."
        )

    def get_config(self) -> dict:
        """The constructor arguments, JSON-serializable."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Initializer":
        """Rebuild an initializer from `get_config()`'s output."""
        return cls(**config)

    def clone(self) -> "Initializer":
        """A new initializer with the same configuration."""
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
