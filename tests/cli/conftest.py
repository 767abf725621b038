"""The `cli` fixture: run `lamina` in-process (`main([...])`) and capture its output."""

import pytest

from lamina._src.cli.main import main


@pytest.fixture
def cli(capsys):
    """`cli("inspect", path, ...)` -> (exit status, stdout, stderr)."""

    def run(*argv):
        capsys.readouterr()
        try:
            code = main([str(a) for a in argv])
        except SystemExit as e:  # argparse: --help (0) and usage errors (2)
            code = e.code
        out, err = capsys.readouterr()
        return code, out, err

    return run
