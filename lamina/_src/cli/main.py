"""The `lamina` command line.

Each subcommand lives in its own module (`inspect_cmd`, `predict_cmd`, ...) that imports only
the standard library at module level; what a command needs (numpy, rich, JAX, the model
classes) is imported when it runs. `inspect` never imports JAX.

Exit status: 0 on success, 1 when a file cannot be read or a model cannot be used (the
message names the file), 2 for bad usage. Failures print one line on stderr; `--debug`
adds the traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings

from . import convert_cmd, demo, diff_cmd, inspect_cmd, plot_cmd, predict_cmd
from ._common import EXIT_BAD_FILE, EXIT_USAGE, CLIError, one_line

COMMANDS = (inspect_cmd, predict_cmd, convert_cmd, diff_cmd, plot_cmd, demo)
# The argument naming each command's main file: error messages start with it.
SUBJECTS = ("file", "source", "a")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lamina",
        description="Keras models without TensorFlow: train, inspect and convert.",
        epilog="examples:\n  lamina inspect model.keras\n  lamina demo\n\n"
               "Run `lamina COMMAND --help` for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", default=False,
                        help="show the full traceback when something fails")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.add_parser(commands)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"lamina: warning: {one_line(message)}", file=sys.stderr)


def _failure(args, error: BaseException, code: int) -> int:
    """Print the one-line error (a CLIError's message already names its file)."""
    if getattr(args, "debug", False):
        import traceback

        traceback.print_exception(error, file=sys.stderr)
    message = one_line(error)
    subject = next((getattr(args, name) for name in SUBJECTS if getattr(args, name, None)), None)
    if subject and not isinstance(error, CLIError) and str(subject) not in message:
        message = f"{subject}: {message}"
    print(f"lamina {args.command}: error: {message}", file=sys.stderr)
    return code


def main(argv=None) -> int:
    """Run the `lamina` command with `argv` (default: `sys.argv[1:]`); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from lamina._src.saving.errors import LoadError

    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return args.func(args)
    except CLIError as e:
        return _failure(args, e, e.code)
    except (LoadError, OSError, ValueError) as e:
        if isinstance(e, BrokenPipeError):
            return 0
        return _failure(args, e, EXIT_BAD_FILE)
    except KeyboardInterrupt:
        print("lamina: interrupted", file=sys.stderr)
        return 130


__all__ = ["EXIT_BAD_FILE", "EXIT_USAGE", "build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
