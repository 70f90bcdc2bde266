"""The maxima AWS checks on its side and botocore leaves to it: a list's or map's size and
a number's value ("MaxResults": 100000 is refused, as AWS refuses it).

Messages read as AWS's: "1 validation error detected: Value '100000' at 'maxResults' failed
to satisfy constraint: Member must have value less than or equal to 100". String patterns
and lengths are not checked: jobs named here (in Python, longer than SageMaker allows) are
described through the same operations.
"""

from __future__ import annotations

from typing import Any

__all__ = ["constraint_report"]

_SHOWN = 100  # characters of a value quoted in a message


def _member_path(path: str, name: str) -> str:
    member = name[:1].lower() + name[1:]
    return f"{path}.{member}" if path else member


def _problem(shape: Any, value: Any) -> str | None:
    """What `value` breaks of `shape`'s own constraints, if anything."""
    meta = shape.metadata
    if isinstance(value, (list, dict)) and shape.type_name in ("list", "map"):
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
