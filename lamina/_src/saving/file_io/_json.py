"""JSON configs, parsed with a size limit and a nesting limit decided before parsing."""

from __future__ import annotations

import json
import re

from ._limits import MAX_JSON_DEPTH, fail, refuse

_SPECIAL = re.compile(rb'[\[\]{}"\\]')


def _max_depth(data: bytes) -> int:
    """The deepest array/object nesting in JSON text, computed without recursion."""
    depth = deepest = 0
    in_string = False
    skip_to = -1
    for match in _SPECIAL.finditer(data):
        pos = match.start()
        if pos < skip_to:
            continue
        char = data[pos]
        if in_string:
            if char == 0x5C:  # backslash: the next byte is escaped
                skip_to = pos + 2
            elif char == 0x22:
                in_string = False
        elif char == 0x22:
            in_string = True
        elif char in (0x5B, 0x7B):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_JSON_DEPTH:
                    return deepest
        elif char in (0x5D, 0x7D):
            depth -= 1
    return deepest


def parse_json_dict(
    data: bytes | str, *, path: str, what: str, max_bytes: int, member: str | None = None
) -> dict:
    """Parse `data` as a JSON object.

    Raises:
        UnsafeFileError: the text is bigger than `max_bytes` or nested deeper than
            `MAX_JSON_DEPTH`.
        LoadError: the text is not UTF-8 JSON, or not an object.
    """
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError as e:
            raise fail(path, f"{what} is not valid UTF-8 text ({e}).", member) from e
    if not isinstance(data, bytes):
        raise fail(path, f"{what} should be JSON text; found {type(data).__name__}.", member)
    if len(data) > max_bytes:
        raise refuse(path, f"{what} is {len(data):,} bytes; the limit is {max_bytes:,}.", member)
    if _max_depth(data) > MAX_JSON_DEPTH:
        raise refuse(path, f"{what} is nested more than {MAX_JSON_DEPTH} levels deep.", member)
    try:
        value = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise fail(path, f"{what} is not valid UTF-8 ({e}).", member) from e
    except RecursionError as e:  # defensive: the depth check above should prevent it
        raise refuse(path, f"{what} is nested too deeply.", member) from e
    except ValueError as e:  # JSONDecodeError, and Python's int-digits limit
        raise fail(path, f"{what} is not valid JSON ({e}).", member) from e
    if not isinstance(value, dict):
        raise fail(path, f"{what} should be a JSON object; found a {type(value).__name__}.", member)
    return value


def check_envelope(config: dict, *, path: str, what: str, member: str | None = None) -> dict:
    """A model config must be a `{"class_name": str, "config": ...}` envelope."""
    class_name = config.get("class_name")
    if not isinstance(class_name, str) or not class_name:
        raise fail(
            path,
            f"{what} is not a Keras object envelope: 'class_name' should be a non-empty string; "
            f"found {class_name!r}.",
            member,
        )
    if "config" in config and not isinstance(config["config"], dict):
        raise fail(
            path,
            f"{what}: 'config' should be a JSON object; found a {type(config['config']).__name__}.",
            member,
        )
    return config
