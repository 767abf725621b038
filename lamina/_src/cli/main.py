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
        description="Build the tutorial model and print its summary.\n\nExample: lamina demo",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.set_defaults(func=_demo)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
