"""`InputSpec`: what a layer accepts (rank, dtype, fixed axis sizes), checked on every call."""

from lamina._src.utils import tree


class InputSpec:
    """Constraints on one input of a layer.

    Args:
        dtype: required dtype name, or None.
        shape: full required shape (None entries are free).
        ndim / min_ndim / max_ndim: rank constraints.
        axes: `{axis: size}` for axes whose size is fixed (e.g. `{-1: 784}` once Dense is built).
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional

    def __repr__(self):
        parts = [f"{k}={v}" for k, v in vars(self).items() if v not in (None, {}, False)]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}


def assert_input_compatibility(input_spec, inputs, layer_name: str) -> None:
    """Raise a ValueError naming the layer, the expectation and the received shape."""
    if input_spec is None:
        return
    specs = tree.flatten(input_spec)
    flat = [x for x in tree.flatten(inputs) if x is not None and hasattr(x, "shape")]
    if len(specs) != len(flat) and len(specs) > 1:
        raise ValueError(
            f'Layer "{layer_name}" expects {len(specs)} input(s), but it received {len(flat)} '
            f"input tensors."
        )
    for index, (spec, x) in enumerate(zip(specs, flat)):
        if spec is None:
            continue
        shape = tuple(x.shape)
        rank = len(shape)
        where = f'Input {index} of layer "{layer_name}" is incompatible with the layer'
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and rank != spec.ndim:
            raise ValueError(f"{where}: expected ndim={spec.ndim}, found ndim={rank}. "
                             f"Full shape received: {shape}")
        if spec.max_ndim is not None and rank > spec.max_ndim:
            raise ValueError(f"{where}: expected max_ndim={spec.max_ndim}, found ndim={rank}. "
                             f"Full shape received: {shape}")
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError(f"{where}: expected min_ndim={spec.min_ndim}, found ndim={rank}. "
                             f"Full shape received: {shape}")
        for axis, size in spec.axes.items():
            if size is None or not -rank <= axis < rank:
                continue
            if shape[axis] is not None and shape[axis] != size:
                raise ValueError(
                    f"{where}: expected axis {axis} of input shape to have value {size}, "
                    f"but received input with shape {shape}"
                )
        if spec.shape is not None and rank == len(spec.shape):
            for expected, actual in zip(spec.shape, shape):
                if expected is not None and actual is not None and expected != actual:
                    raise ValueError(f"{where}: expected shape={spec.shape}, found shape={shape}")
