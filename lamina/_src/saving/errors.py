"""Errors raised when reading or writing model files."""


class LoadError(ValueError):
    """A file could not be loaded; the message names the file and what is wrong."""


class UnsafeFileError(LoadError):
    """A file was refused because loading it could run code or escape its sandbox."""


class SaveError(OSError):
    """A file could not be written; an existing file at the path is left intact."""
