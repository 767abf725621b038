"""`Progbar`: Keras's progress bar (`1719/1719 ━━━━━━━━━━━━━━━━━━━━ 2s 1ms/step - loss: 0.72`)."""

import os
import sys
import time

# Keras's terminal styling: a bold step count and ETA, the done part of the bar green, the rest grey.
_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


def _is_interactive() -> bool:
    return sys.stdout.isatty() or "ipykernel" in sys.modules or "JPY_PARENT_PID" in os.environ


def format_value(value) -> str:
    value = float(value)
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_step_time(seconds: float, unit_name: str = "step") -> str:
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit_name}"
    return f"{seconds * 1e6:.0f}us/{unit_name}"


def format_duration(seconds: float) -> str:
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


class Progbar:
    """A progress bar for `target` steps.

    In a terminal it redraws its line (as Keras does: `\\b`s and `\\r`, then the styled bar) at
    most every `interval` seconds, with the ETA until the target; in a log file (no tty) it
    writes one plain line when the target is reached, never a line per step.

    Args:
        target: the number of steps, or None if unknown.
        width: the bar's width in characters.
        verbose: 1 for the bar, 2 for one summary line at the end.
        interval: the least time in seconds between two redraws.
        unit_name: the unit in the time-per-unit figure (`"step"`).
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
        self._first_update = None
        self._last_draw = 0.0
        self._last_width = 0
        self._values: dict = {}
        self.seen = 0

    def _time_per_step(self, current: int, now: float) -> float:
        """Seconds per step since the first update (its steps include compiling), as Keras does
        from step 1; until a later update, the plain average."""
        if not current:
            return 0.0
        if self._first_update is None:
            self._first_update = (current, now)
        first_step, first_time = self._first_update
        if current > first_step:
            return (now - first_time) / (current - first_step)
        return (now - self._start) / current

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        """Record progress; `values` is a list of `(name, value)` (the latest values are shown)."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or ():
            self._values[name] = value
        self.seen = current
        now = time.perf_counter()
        per_step = self._time_per_step(current, now)
        if not finalize and not (self.verbose == 1 and self._dynamic and now - self._last_draw >= self.interval):
            return
        self._last_draw = now
        metrics = "".join(f" - {k}: {format_value(v)}" for k, v in self._values.items())
        timing = format_step_time(per_step, self.unit_name)
        known = self.target is not None and self.target > 0
        count = f"{current:>{len(str(self.target))}}/{self.target}" if known else f"{current:>7}/Unknown"
        if self.verbose == 2:
            self._write(f"{count} - {now - self._start:.0f}s - {timing}{metrics}\n")
        elif not self._dynamic:
            bar = " " + "━" * self.width if known else ""
            self._write(f"{count}{bar} {now - self._start:.0f}s {timing}{metrics}\n")
        else:
            eta = known and not finalize
            when = format_duration(per_step * (self.target - current)) if eta else f"{now - self._start:.0f}s"
            self._draw(current, count, known, finalize, f" {_BOLD}{when}{_RESET} {timing}{metrics}")

    def _draw(self, current, count, known, finalize, info) -> None:
        """Redraw the terminal line in place, byte for byte as Keras's Progbar does."""
        bar, visible = count, len(count)
        if known:
            bar = f"{_BOLD}{count}{_RESET} "
            done = int(self.width * current / self.target)
            if done > 0:
                bar += f"{_GREEN}{'━' * done}{_RESET}"
            bar += f"{_GREY}{'━' * (self.width - done)}{_RESET}"
            visible += 1 + self.width
        width = visible + len(info) - len(_BOLD) - len(_RESET)
        padding = " " * max(self._last_width - width, 0)
        self._write("\b" * self._last_width + "\r" + bar + info + padding + ("\n" if finalize else ""))
        self._last_width = width

    def _write(self, text: str) -> None:
        self.file.write(text)
        self.file.flush()

    def add(self, n: int, values=None) -> None:
        self.update(self.seen + n, values)
