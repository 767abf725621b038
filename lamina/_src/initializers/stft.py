"""`STFT`: the fixed DFT kernel (times a window) that `STFTSpectrogram` convolves with."""

import jax
import jax.numpy as jnp
import numpy as np

from lamina._src.backend.dtypes import standardize_dtype
from lamina._src.backend.transfer import to_device
from lamina._src.initializers.initializer import Initializer
from lamina._src.saving.registry import register

# Generalised cosine windows: w[n] = sum_k (-1)**k a_k cos(2 pi k n / (M - 1)).
_COSINE_WINDOWS = {
    "hann": (0.5, 0.5),
    "hanning": (0.5, 0.5),
    "hamming": (0.54, 0.46),
    "blackman": (0.42, 0.5, 0.08),
}
_OTHER_WINDOWS = ("bartlett", "boxcar", "rectangular", "ones")
WINDOWS = tuple(sorted((*_COSINE_WINDOWS, *_OTHER_WINDOWS)))


def get_window(name: str, length: int, periodic: bool = False) -> np.ndarray:
    """A named window of `length` samples (the same values as `scipy.signal.get_window`).

    Args:
        name: one of `WINDOWS`.
        length: the number of samples.
        periodic: the periodic variant (for spectral analysis) instead of the symmetric one.

    Raises:
        ValueError: for an unknown window name.
    """
    if name not in WINDOWS:
        raise ValueError(f"Unknown window {name!r}: expected one of {WINDOWS}, or an array.")
    if length <= 1:
        return np.ones(max(length, 0))
    size = length + 1 if periodic else length
    n = np.arange(size)
    if name in _COSINE_WINDOWS:
        phase = 2.0 * np.pi * n / (size - 1)
        window = sum((-1) ** k * a * np.cos(k * phase) for k, a in enumerate(_COSINE_WINDOWS[name]))
    elif name == "bartlett":
        window = 1.0 - np.abs(2.0 * n / (size - 1) - 1.0)
    else:
        window = np.ones(size)
    return window[:length]


@register("initializers", "stft", "STFTInitializer")
class STFT(Initializer):
    """The real or imaginary part of a windowed DFT, as a `(frame_length, 1, fft_bins)` kernel.

    Args:
        side: "real" (cosine part) or "imag" (sine part). Defaults to "real".
        window: a window name (see `WINDOWS`), an array of `frame_length` values, or None.
        scaling: "density" (divide by the window's L2 norm), "spectrum" (by its sum) or None.
        periodic: use the periodic variant of a named window. Defaults to False.
    """

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"STFT: `side` must be 'real' or 'imag', received {side!r}.")
        if isinstance(window, str) and window not in WINDOWS:
            raise ValueError(f"STFT: unknown window {window!r}; expected one of {WINDOWS}.")
        if scaling not in (None, "density", "spectrum"):
            raise ValueError(
                f"STFT: `scaling` must be None, 'density' or 'spectrum', received {scaling!r}."
            )
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape, dtype=None) -> jax.Array:
        dtype = standardize_dtype(dtype)
        if len(shape) != 3:
            raise ValueError(
                f"STFT: expected a shape (frame_length, input_channels, fft_bins), received {shape}."
            )
        frame_length, _, fft_bins = shape
        time = np.arange(frame_length, dtype=np.float64).reshape(frame_length, 1, 1)
        freq = np.arange(fft_bins, dtype=np.float64).reshape(1, 1, fft_bins) / ((fft_bins - 1) * 2)
        angle = -2.0 * time * freq * np.pi
        kernel = np.cos(angle) if self.side == "real" else np.sin(angle)
        if self.window is not None:
            window = self.window
            if isinstance(window, str):
                window = get_window(window, frame_length, self.periodic)
            window = np.asarray(window, dtype=np.float64)
            if window.shape != (frame_length,):
                raise ValueError(
                    f"STFT: the window must have shape ({frame_length},) (the frame length), "
                    f"received shape {window.shape}."
                )
            window = window.reshape(frame_length, 1, 1)
            scale = 1.0
            if self.scaling == "density":
                scale = np.sqrt(np.sum(np.square(window)))
            elif self.scaling == "spectrum":
                scale = np.sum(np.abs(window))
            kernel = kernel * window / scale
        return to_device(kernel, dtype=dtype)

    def get_config(self) -> dict:
        window = self.window.tolist() if isinstance(self.window, np.ndarray) else self.window
        return {
            "side": self.side,
            "window": window,
            "periodic": self.periodic,
            "scaling": self.scaling,
        }
