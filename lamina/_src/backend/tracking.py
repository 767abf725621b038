"""A global counter of structural changes (new variables, trainable flags, layers added).

Lists derived from a model's structure (its variables in order) are cached against this
version, so the hot paths of fit / predict skip walking the layer tree when nothing changed.
"""

_version = 0


def bump() -> None:
    global _version
    _version += 1


def version() -> int:
    return _version
