"""A file of answers: labels given without the panel (a notebook run by papermill, a script,
labels made elsewhere). JSON Lines, one answer a line:

    {"item": 0, "worker": "me", "answer": {"label": "cat"}}
    {"source-ref": "images/dog-1.png", "worker": "me", "answer": {"label": "dog"}}
    {"source": "Paris is lovely", "worker": "alice", "answer": {"label": "positive"}}

An item is named by its line number in the input manifest (from 0) or by its `source-ref` or
`source`; `worker` may be left out when the job has one worker. Each answer goes through
`submit_answer`, so it is checked and consolidated as the panel's are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..store import get_store
from . import records
from .work import submit_answer

__all__ = ["answer_from_file", "answer_lines"]


def _item_index(name: str) -> dict[str, int]:
    """Each item's source-ref (as given and as a path's name) or source text -> its line number."""
    index: dict[str, int] = {}
    for row in records.item_rows(get_store(), name):
        line = json.loads(row["line"])
        key = line.get("source-ref", line.get("source"))
        if key is not None:
            index.setdefault(str(key), int(row["item"]))
            index.setdefault(Path(str(key)).name, int(row["item"]))
    return index


def _item_of(entry: dict[str, Any], index: dict[str, int], number: int) -> int:
    if isinstance(entry.get("item"), int):
        return int(entry["item"])
    key = entry.get("source-ref", entry.get("source"))
    if key is None:
        raise ValidationError(f"Answer line {number} names no item: give 'item' (the manifest line, from 0), "
                              "'source-ref' or 'source'.")
    for candidate in (str(key), Path(str(key)).name):
        if candidate in index:
            return index[candidate]
    raise ValidationError(f"Answer line {number}: no item of the job has {key!r} as its source.")


def answer_lines(name: str, entries: list[dict[str, Any]]) -> int:
    """Submit answers given as dicts (see the module's doc); how many were taken. Stops at the
    first bad one with a ValidationError naming its line."""
    job = records.job_row(get_store(), name)
    workers = json.loads(job["workers"])
    index = _item_index(name)
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or "answer" not in entry:
            raise ValidationError(f"Answer line {number} must be {{item, worker, answer}}; got {entry!r}.")
        worker = entry.get("worker") or (workers[0] if len(workers) == 1 else None)
        if worker is None:
            raise ValidationError(f"Answer line {number} names no worker; the job has several: {', '.join(workers)}.")
        try:
            submit_answer(name, str(worker), _item_of(entry, index, number), entry["answer"])
        except ValidationError as error:
            raise ValidationError(f"Answer line {number}: {error}") from None
    return len(entries)


def answer_from_file(name: str, path: str | Path) -> int:
    """Submit every answer of the JSON Lines file at `path` to labeling job `name`; how many."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise ValidationError(f"The file of answers {path} does not exist (looked for {file.resolve()}).")
    entries = []
    for number, text in enumerate(file.read_text().splitlines(), 1):
        if text.strip():
            try:
                entries.append(json.loads(text))
            except json.JSONDecodeError:
                raise ValidationError(f"Line {number} of {path} is not JSON; each line is "
                                      '{"item": 0, "worker": "me", "answer": {...}}.') from None
    return answer_lines(name, entries)
