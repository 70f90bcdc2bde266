"""The job log: one text file per job, a line per captured line of output.

Each line reads `<UTC time> <stream> <message>`, e.g.
`2026-11-21T10:00:00.123Z stdout epoch 1 loss: 0.52`, where the stream is stdout,
stderr or runner (our own messages). The file is plain text, so `tail -f` works too.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from ..models import LogChunk, LogLine

__all__ = ["LOG_FILE", "LogWriter", "parse_line", "read_log", "tail_log", "read_lines"]

LOG_FILE = "job.log"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _format_time(seconds: float) -> str:
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{whole}.{int(seconds % 1 * 1000):03d}Z"


def parse_line(text: str) -> LogLine:
    """A LogLine from one line of the file (lines not in our format keep their text)."""
    parts = text.rstrip("\n").split(" ", 2)
    if len(parts) >= 2 and len(parts[0]) == 24 and parts[0].endswith("Z"):
        try:
            when = datetime.strptime(parts[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
            return LogLine(when, parts[1], parts[2] if len(parts) == 3 else "")
        except ValueError:
            pass
    return LogLine(_EPOCH, "stdout", text.rstrip("\n"))


class LogWriter:
    """Appends timestamped lines to a job log from several threads."""

    def __init__(self, path: Path) -> None:
        self._file: TextIO = open(path, "a", encoding="utf-8", buffering=1)
        self._lock = threading.Lock()
        self.lost_lines = 0  # lines a full disk refused

    def write(self, stream: str, message: str) -> None:
        """Append one line (newlines inside `message` start new lines). On a full disk the
        line is lost and counted in `lost_lines`, never raised: the output must go on
        being read, or the program writing it would block."""
        now = _format_time(time.time())
        text = "".join(f"{now} {stream} {part}\n" for part in message.split("\n"))
        with self._lock:
            try:
                self._file.write(text)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                self.lost_lines += text.count("\n")

    def close(self) -> None:
        """Flush and close the file (what a full disk refuses is lost)."""
        with self._lock:
            try:
                self._file.close()
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise


def _size(path: Path) -> int:
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0


def read_log(path: Path, offset: int = 0, max_bytes: int = 1 << 20, max_lines: int | None = None) -> LogChunk:
    """Whole lines from byte `offset`, at most about `max_bytes` (and `max_lines`); a
    partial last line waits."""
    size = _size(path)
    try:
        with open(path, "rb") as file:
            file.seek(offset)
            data = file.read(max_bytes)
    except FileNotFoundError:
        return LogChunk([], offset, offset, 0)
    end = data.rfind(b"\n") + 1
    if end == 0 and len(data) == max_bytes:  # one line longer than max_bytes: pass it whole
        end = len(data)
    if max_lines is not None and data.count(b"\n", 0, end) > max_lines:
        end = 0
        for _ in range(max_lines):
            end = data.index(b"\n", end) + 1
    return LogChunk(_lines(data[:end]), offset, offset + end, max(size, offset + end))


def _lines(data: bytes) -> list[LogLine]:
    return [parse_line(raw.decode("utf-8", "replace")) for raw in data.split(b"\n")[:-1]]


def tail_log(path: Path, lines: int = 50, before: int | None = None) -> LogChunk:
    """The last `lines` whole lines (of those ending by byte `before`, if given: the page
    before it); `next_offset` is where following goes on from."""
    size, block = _size(path), 200 * lines + 4096
    stop = size if before is None else min(before, size)
    while True:
        start = max(0, stop - block)
        try:
            with open(path, "rb") as file:
                file.seek(start)
                data = file.read(stop - start)
        except FileNotFoundError:
            return LogChunk([], 0, 0, 0)
        end = data.rfind(b"\n") + 1
        raws = data[:end].split(b"\n")[:-1]
        if start:
            raws = raws[1:]  # the first may be cut
        if len(raws) >= lines or start == 0:
            break
        block *= 4
    kept = raws[len(raws) - lines:] if lines else []
    first = start + end - sum(len(raw) + 1 for raw in kept)
    return LogChunk(_lines(b"".join(raw + b"\n" for raw in kept)), first, start + end, size)


def read_lines(path: Path, start_line: int, max_lines: int) -> LogChunk:
    """Lines `start_line` (0-based) to `start_line + max_lines`, with their byte range."""
    offset = end = 0
    kept: list[bytes] = []
    try:
        with open(path, "rb") as file:
            for number, raw in enumerate(file):
                if not raw.endswith(b"\n") or number >= start_line + max_lines:
                    break
                if number < start_line:
                    offset += len(raw)
                else:
                    kept.append(raw)
    except FileNotFoundError:
        return LogChunk([], 0, 0, 0)
    end = offset + sum(len(raw) for raw in kept)
    return LogChunk(_lines(b"".join(kept)), offset, end, _size(path))
