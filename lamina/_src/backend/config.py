"""Process-wide settings Keras code reads through `keras.backend` / `keras.config`."""

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"


def floatx() -> str:
    """The default float dtype name (`"float32"`)."""
    return _FLOATX


def set_floatx(value: str) -> None:
    global _FLOATX
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(f"Unknown floatx {value!r}: expected float16, bfloat16, float32 or float64.")
    _FLOATX = value


def epsilon() -> float:
    """The fuzz factor Keras adds to denominators (1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """`"channels_last"` (the default) or `"channels_first"`."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(value: str) -> None:
    global _IMAGE_DATA_FORMAT
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            f"Unknown data_format {value!r}: expected 'channels_last' or 'channels_first'."
        )
    _IMAGE_DATA_FORMAT = value


def backend() -> str:
    """The name of the compute backend; lamina always runs on JAX."""
    return "jax"


def standardize_data_format(data_format: str | None) -> str:
    if data_format is None:
        return image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"data_format must be 'channels_last' or 'channels_first', received {data_format!r}."
        )
    return data_format
