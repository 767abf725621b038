"""The `lamina` command line."""

import argparse
import sys


def _demo(args) -> int:
    from lamina._src.cli.demo import run_demo

    return run_demo(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lamina", description="Keras models without TensorFlow: train, inspect and convert."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="run the README's main job",
        description="Train a small classifier on the bundled 8x8 digits, print its summary, "
                    "progress and test accuracy.\n\nExample: lamina demo --epochs 20",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--epochs", type=int, default=20, help="training epochs (default 20)")
    demo.set_defaults(func=_demo)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
