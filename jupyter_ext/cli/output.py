"""How the command line prints a verb's result: text as it is, records as JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["as_json", "print_result"]


def as_json(result: Any) -> Any:
    """`result` as JSON-able data: records by their `to_dict()`, lists item by item."""
    if isinstance(result, (list, tuple)):
        return [as_json(item) for item in result]
    return result.to_dict() if hasattr(result, "to_dict") else result


def print_result(result: Any, args: argparse.Namespace) -> None:
    """Print `result`: nothing for None, a string as it is, anything else as indented JSON."""
    if result is None:
        return
    print(result if isinstance(result, str) else json.dumps(as_json(result), indent=1, default=str))
