"""What every record shares: `Record.to_dict()`, store times, job statuses."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Any

JOB_TYPES = ("Training", "Processing", "Tuning", "AutoML", "Rule", "Transform", "Pipeline", "Compilation", "Labeling")
ACTIVE_STATUSES = ("Pending", "InProgress", "Stopping")
TERMINAL_STATUSES = ("Completed", "Failed", "Stopped")


def timestamp(seconds: float | None) -> datetime | None:
    """A store time (seconds since the epoch) as an aware UTC datetime."""
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value):
        return _jsonable(dataclasses.asdict(value))
    return value


class Record:
    """The base of every request and response record: a dataclass with `to_dict()`."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        return {f.name: _jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}
