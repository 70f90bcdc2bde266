"""Reading JSON files that steps wrote (PropertyFiles, a PythonStep's result) from
wherever their outputs went (a local folder or an artifact store URI)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..store import artifact_store_for, join_uri

__all__ = ["read_json"]


def read_json(output_uri: str, file_path: str, what: str) -> Any:
    """The JSON at `file_path` inside output `output_uri`; ValidationError naming `what`
    if it is missing or not JSON."""
    uri = join_uri(output_uri, file_path)
    with tempfile.TemporaryDirectory(prefix="property-file-") as scratch:
        try:
            path = Path(artifact_store_for(uri).fetch(uri, Path(scratch)))
            text = path.read_text()
        except (OSError, ValueError) as error:
            raise ValidationError(f"Cannot read {what}: {uri} ({error}).") from None
    try:
        return json.loads(text)
    except ValueError as error:
        raise ValidationError(f"{what} at {uri} is not JSON: {error}.") from None
