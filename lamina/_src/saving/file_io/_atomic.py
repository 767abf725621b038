"""Atomic writes: a temporary file in the target's folder, fsync, then `os.replace`."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator

from ..errors import SaveError


def _fsync_path(path: str, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yield a fresh temporary path next to `path`; on success it replaces `path`.

    On any failure the temporary file is removed, an existing file at `path` is left as it
    was, and `SaveError` naming `path` is raised.
    """
    folder = os.path.dirname(os.path.abspath(path))
    temp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    try:
        # O_EXCL: never reuse or follow an existing name; mode 0o666 lets the umask decide.
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as e:
        raise SaveError(
            f"Could not save '{path}': cannot create a file in '{folder}' ({e})."
        ) from e
    try:
        yield temp
        _fsync_path(temp)
        os.replace(temp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.remove(temp)
        if isinstance(e, SaveError) or not isinstance(e, Exception):
            raise
        raise SaveError(f"Could not save '{path}': {type(e).__name__}: {e}") from e
    with contextlib.suppress(OSError):  # make the rename durable; not every system allows it
        _fsync_path(folder, directory=True)
