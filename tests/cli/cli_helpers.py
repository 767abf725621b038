"""Shared by the `lamina` command tests: the fixture corpus and its files."""

import pathlib

FIXTURES = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "keras-fixtures"
WRITERS = ("tf_keras2", "keras3_tf", "keras3_jax")


def fixture_files(*writers: str, models_only: bool = False) -> list[pathlib.Path]:
    """Every .h5/.keras fixture of `writers` (default: all), optionally without weights files."""
    files = []
    for writer in writers or WRITERS:
        for path in sorted((FIXTURES / writer).iterdir()):
            if path.suffix not in (".h5", ".keras"):
                continue
            if models_only and (path.name.endswith(".weights.h5") or
                                path.name.endswith("_weights.h5")):
                continue
            files.append(path)
    return files


def file_id(path: pathlib.Path) -> str:
    return f"{path.parent.name}/{path.name}"
