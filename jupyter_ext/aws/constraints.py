"""The constraints AWS checks on its side and botocore leaves to it: a string's regular
expression pattern and maximum length, a list's or map's maximum size, a number's maximum.

Messages read as AWS's: "1 validation error detected: Value 'bad_name!' at 'trainingJobName'
failed to satisfy constraint: Member must satisfy regular expression pattern: ...". A
pattern Python's `re` cannot compile (Java's `\\p{...}` classes) is not checked.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["constraint_report"]

_SHOWN = 100  # characters of a value quoted in a message


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.DOTALL)  # lenient on line breaks, which AWS's fields may hold
    except re.error:
        return None


def _member_path(path: str, name: str) -> str:
    member = name[:1].lower() + name[1:]
    return f"{path}.{member}" if path else member


def _problem(shape: Any, value: Any) -> str | None:
    """What `value` breaks of `shape`'s own constraints, if anything."""
    meta = shape.metadata
    if isinstance(value, str) and shape.type_name == "string":
        if "max" in meta and len(value) > meta["max"]:
            return f"Member must have length less than or equal to {meta['max']}"
        compiled = _compiled(meta["pattern"]) if "pattern" in meta else None
        if compiled is not None and compiled.fullmatch(value) is None:
            return f"Member must satisfy regular expression pattern: {meta['pattern']}"
    elif isinstance(value, (list, dict)) and shape.type_name in ("list", "map"):
        if "max" in meta and len(value) > meta["max"]:
            return f"Member must have length less than or equal to {meta['max']}"
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and shape.type_name in (
            "integer", "long", "float", "double"):
        if "max" in meta and value > meta["max"]:
            return f"Member must have value less than or equal to {meta['max']}"
    return None


def _errors(shape: Any, value: Any, path: str, found: list[str]) -> None:
    problem = _problem(shape, value)
    if problem is not None:
        shown = str(value) if not isinstance(value, (list, dict)) else f"{type(value).__name__} of {len(value)}"
        found.append(f"Value '{shown[:_SHOWN]}' at '{path}' failed to satisfy constraint: {problem}")
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                _errors(member, value[name], _member_path(path, name), found)
    elif shape.type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value, 1):
            _errors(shape.member, item, f"{path}.{index}.member", found)
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            _errors(shape.key, key, f"{path}.{key}.key", found)
            _errors(shape.value, item, f"{path}.{key}.value", found)


def constraint_report(shape: Any, value: dict[str, Any]) -> str | None:
    """AWS's message for the constraints `value` (a decoded request) breaks, or None."""
    found: list[str] = []
    _errors(shape, value, "", found)
    if not found:
        return None
    count = f"{len(found)} validation error{'s' if len(found) > 1 else ''} detected: "
    return count + "; ".join(found)
