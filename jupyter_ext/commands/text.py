"""Text in and out for the surfaces: `KEY=VALUE` words and aligned text tables.

The CLI, the magics and the Livy gateway's options all read `NAME=VALUE` the same way,
and every listing the CLI or a magic prints is a `text_table`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import ValidationError

__all__ = ["parse_pairs", "text_table"]


def parse_pairs(pairs: Iterable[str], what: str, decode: bool = False) -> dict[str, Any]:
    """`["a=1", "b=x"]` → `{"a": "1", "b": "x"}`; `what` names the option in errors.

    With `decode`, values are read as hyperparameters are (JSON if it parses, else the
    string). Raises ValidationError for a word without `=` or without a name.
    """
    from ..jobs.contract import decode_hyperparameter

    parsed: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValidationError(f"{what} {pair!r} must look like NAME=VALUE.",
                                  hint=f"use `{what} {key.strip() or 'NAME'}=VALUE`, one word without spaces.")
        parsed[key.strip()] = decode_hyperparameter(value) if decode else value
    return parsed


def text_table(rows: Sequence[Sequence[str]]) -> str:
    """Rows (the first is the header) as aligned columns; the last column is not padded."""
    if not rows:
        return ""
    last = len(rows[0]) - 1
    widths = [max(len(row[i]) for row in rows) for i in range(last)]
    return "\n".join("  ".join([*(c.ljust(w) for c, w in zip(row, widths)), row[last]]) for row in rows)
