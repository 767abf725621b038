"""The progress bar in a real terminal (a pty), against Keras's own bar in the same terminal.

Each process writes `fit(verbose=1)` into a pseudo-terminal; the test splits what arrives into
the redrawn frames and checks every frame of both libraries against one pattern of Keras's
format (styling escapes, count, bar, ETA while running and elapsed time at the end, time per
step, metrics), and that the redraws erase exactly the previous frame's width.
"""

import os
import pty
import re
import subprocess
import sys
import termios

import pytest

STEPS = 12

SCRIPT = f"""
import sys, time, importlib
import numpy as np
K = importlib.import_module(sys.argv[1])
x = np.random.default_rng(0).normal(size=({STEPS * 4}, 3)).astype("float32")
y = x[:, :1] * 2.0

class Slow(K.callbacks.Callback):  # long enough steps for the bar to redraw mid-epoch
    def on_train_batch_end(self, batch, logs=None):
        time.sleep(0.03)

model = K.Sequential([K.Input(shape=(3,)), K.layers.Dense(1)])
model.compile("sgd", "mse")
model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=1, callbacks=[Slow()])
"""

ANSI = re.compile(r"\x1b\[\d+m")
FRAME = re.compile(
    r"\x08*\r"                                   # erase the previous frame, back to column 0
    rf"\x1b\[1m *(\d+)/{STEPS}\x1b\[0m "         # bold step count
    r"(?:\x1b\[32m(━+)\x1b\[0m)?"                # the done part, green
    r"\x1b\[37m(━*)\x1b\[0m"                     # the rest, grey
    r" \x1b\[1m(\d+s|\d+:\d\d)\x1b\[0m"          # bold ETA (running) or elapsed (final)
    r" \d+(?:s|ms|us)/step"
    r" - loss: \d+\.\d{4}(?:e[-+]\d+)?"
    r"( *)(\n?)$"
)


def run_in_terminal(module: str) -> str:
    master, slave = pty.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST  # keep "\n" as written (no "\r\n" translation)
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    env = dict(os.environ, KERAS_BACKEND="jax", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, module], stdout=slave,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()[-3000:]
    return b"".join(chunks).decode()


def epochs(output: str) -> list[list[str]]:
    """The frames of each epoch's bar (each frame starts with its erasing `\\b`s and `\\r`)."""
    parts = re.split(r"Epoch \d+/2\n", output)
    assert parts[0] == "" and len(parts) == 3, repr(output[:300])
    return [re.findall(r"\x08*\r[^\r\x08]*", part) for part in parts[1:]]


@pytest.mark.parametrize("module", ["keras", "lamina"])
def test_live_progress_bar_redraws_one_line_as_keras(module):
    for frames in epochs(run_in_terminal(module)):
        assert len(frames) >= 3, frames  # redrawn while running, not only at the end
        previous_width = 0
        for i, frame in enumerate(frames):
            match = FRAME.fullmatch(frame)
            assert match, repr(frame)
            step, done, rest, when, padding, newline = match.groups()
            last = i == len(frames) - 1
            assert (newline == "\n") == last and (int(step) == STEPS) == last
            assert len(done or "") == 20 * int(step) // STEPS and len(done or "") + len(rest) == 20
            assert frame.count("\x08") == previous_width
            previous_width = len(ANSI.sub("", frame.lstrip("\x08\r").rstrip("\n ")))
        assert int(re.search(r"(\d+)/", frames[1]).group(1)) < STEPS  # an ETA frame mid-epoch
