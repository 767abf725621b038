"""What every `lamina` command shares: its error type, the console, and loading models.

Imports only the standard library at module level, so building the parser stays cheap; JAX
and the model classes are imported inside the helpers that need them.
"""

from __future__ import annotations

import argparse
import os
import sys

EXIT_BAD_FILE = 1
EXIT_USAGE = 2


class CLIError(Exception):
    """A failure to report as one line on stderr, with `code` as the exit status."""

    def __init__(self, message: str, code: int = EXIT_BAD_FILE):
        super().__init__(message)
        self.code = code


def command_parser(commands, name: str, *, help: str, description: str, example: str,
                   epilog: str = "") -> argparse.ArgumentParser:
    """A subcommand with a `--debug` flag and an epilog that starts with an example."""
    import textwrap

    description = "\n".join(textwrap.fill(line, 79) if line else line
                            for line in description.split("\n"))
    text = f"example:\n  {example}"
    if epilog:
        text += "\n\n" + epilog
    parser = commands.add_parser(name, help=help, description=description, epilog=text,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback when something fails")
    return parser


def existing_file(path: str) -> str:
    """`path` if it is a readable file, else a CLIError naming it (exit status 1)."""
    if not os.path.exists(path):
        raise CLIError(f"{path}: no such file.")
    if os.path.isdir(path):
        raise CLIError(f"{path}: it is a directory, not a file.")
    return path


def make_console(line_length: int | None = None, no_color: bool = False, stream=None):
    """A rich console wide enough for Keras's tables; plain text when not on a terminal."""
    import shutil

    import rich.console

    columns = shutil.get_terminal_size().columns
    width = max((line_length or min(132, columns - 4)) + 4, 80, columns)
    return rich.console.Console(file=stream or sys.stdout, highlight=False, width=width,
                                no_color=no_color or bool(os.environ.get("NO_COLOR")),
                                color_system=None if no_color else "auto")


def load_model(path: str, compile: bool = True):
    """`lamina.models.load_model`, with errors that name the file.

    Falls back to `compile=False` (with a note on stderr) when only the training
    configuration cannot be restored, so predicting or plotting still works.
    """
    existing_file(path)
    from lamina._src.saving.errors import LoadError
    from lamina.models import load_model as _load_model

    try:
        return _load_model(path, compile=compile)
    except LoadError:
        raise
    except (ValueError, TypeError, KeyError) as e:
        if compile:
            try:
                model = _load_model(path, compile=False)
            except Exception:
                model = None
            if model is not None:
                print(f"lamina: note: {path}: the training configuration could not be "
                      f"restored ({one_line(e)}); continuing without it.", file=sys.stderr)
                return model
        raise CLIError(f"{path}: the model cannot be rebuilt: {one_line(e)}") from e


def one_line(error) -> str:
    """An exception's message on one line."""
    return " ".join(str(error).split())
