"""`Progbar`: Keras's progress bar (`1719/1719 ━━━━━━━━━━━━━━━━━━━━ 2s 1ms/step - loss: 0.72`)."""

import os
import sys
import time


def _is_interactive() -> bool:
    return sys.stdout.isatty() or "ipykernel" in sys.modules or "JPY_PARENT_PID" in os.environ


def format_value(value) -> str:
    value = float(value)
    return f"{value:.4f}" if abs(value) > 1e-3 or value == 0 else f"{value:.4e}"


def format_step_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def format_duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{seconds:.0f}s"


class Progbar:
    """A progress bar for `target` steps.

    In a terminal it redraws one line at most every `interval` seconds; in a log file (no tty)
    it writes one line when the target is reached, never a line per step.

    Args:
        target: the number of steps, or None if unknown.
        width: the bar's width in characters.
        verbose: 1 for the bar, 2 for one summary line at the end.
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, unit_name="step", file=None):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.file = file or sys.stdout
        self._dynamic = _is_interactive() and file is None
        self._start = time.perf_counter()
        self._last_draw = 0.0
        self._last_width = 0
        self._values: dict = {}
        self.seen = 0

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        """Record progress; `values` is a list of `(name, value)` (the latest values are shown)."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or ():
            self._values[name] = value
        self.seen = current
        now = time.perf_counter()
        if self.verbose == 1 and self._dynamic and not finalize and now - self._last_draw < self.interval:
            return
        if not finalize and not (self.verbose == 1 and self._dynamic):
            return
        self._last_draw = now
        elapsed = now - self._start
        per_step = elapsed / max(current, 1)
        metrics = "".join(f" - {k}: {format_value(v)}" for k, v in self._values.items())
        if self.verbose == 2:
            line = f"{current}/{self.target} - {format_duration(elapsed)} - {format_step_time(per_step)}{metrics}"
            self.file.write(line + "\n")
            self.file.flush()
            return
        if self.target is not None:
            digits = len(str(self.target))
            count = f"{current:>{digits}}/{self.target}"
            bar = "━" * self.width
            if self._dynamic and current < self.target:
                done = int(self.width * current / max(self.target, 1))
                bar = "━" * done + "\x1b[2m" + "━" * (self.width - done) + "\x1b[0m"  # dim rest
            if finalize:
                timing = f"{format_duration(elapsed)} {format_step_time(per_step)}"
            else:
                eta = per_step * (self.target - current)
                timing = f"{format_duration(eta)} {format_step_time(per_step)}"
            line = f"{count} {bar} {timing}{metrics}"
        else:
            line = f"{current} {format_duration(elapsed)} {format_step_time(per_step)}{metrics}"
        if self._dynamic:
            padding = " " * max(self._last_width - len(line), 0)
            self.file.write("\r" + line + padding + ("\n" if finalize else ""))
            self._last_width = len(line)
        else:
            self.file.write(line + "\n")
        self.file.flush()

    def add(self, n: int, values=None) -> None:
        self.update(self.seen + n, values)
