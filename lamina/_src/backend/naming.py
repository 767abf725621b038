"""Default object names as Keras makes them (`dense`, `dense_1`, ...) and name scopes."""

import collections
import re
import threading

_uids: collections.Counter = collections.Counter()
_local = threading.local()


def to_snake_case(name: str) -> str:
    """`LeakyReLU` -> `leaky_re_lu`, `Conv2D` -> `conv2d`, as Keras spells class slugs."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


def get_uid(prefix: str) -> int:
    """How many times `prefix` has been asked for, this one included (1, 2, ...)."""
    _uids[prefix] += 1
    return _uids[prefix]


def auto_name(prefix: str) -> str:
    """`prefix` the first time, then `prefix_1`, `prefix_2`, ... (Keras's per-prefix counters)."""
    uid = get_uid(prefix)
    return prefix if uid == 1 else f"{prefix}_{uid - 1}"


def reset_uids() -> None:
    """Restart every default-name counter (`keras.backend.clear_session`)."""
    _uids.clear()


def _scope_stack() -> list[str]:
    if not hasattr(_local, "scopes"):
        _local.scopes = []
    return _local.scopes


class name_scope:
    """Prefixes the paths of variables created inside it: `sequential/dense/kernel`."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        stack = _scope_stack()
        # Re-entering the scope we are already in (a layer building its own sub-layer of the
        # same name) does not repeat the prefix, as in Keras.
        self._pushed = not stack or stack[-1] != self.name
        if self._pushed:
            stack.append(self.name)
        return self

    def __exit__(self, *exc):
        if self._pushed:
            _scope_stack().pop()


def current_path() -> str:
    return "/".join(_scope_stack())
