"""TensorBoard event files of a hook's scalars: what smdebug's `export_tensorboard` writes
for the `losses`, `metrics` and `scalars` a job saves, so `tensorboard --logdir` (or
SageMaker's TensorBoard app over `TensorBoardOutputConfig`'s S3 folder) charts them.

One file per mode, `<dir>/<MODE>/<first step:012>_<worker>.tfevents` as smdebug names it,
starting with the `file_version` event; records carry their payload's masked CRC32C, which
TensorBoard's readers check. Scalars only: no histograms or graphs.
"""

from __future__ import annotations

import struct
import time
from pathlib import Path
from typing import BinaryIO

from .config import ModeKeys
from .event_files import decode_scalar_event, encode_file_version_event, encode_scalar_event, frame, unframe

__all__ = ["TensorBoardWriter", "read_scalars"]


class TensorBoardWriter:
    """Scalar summaries into TensorBoard event files under `folder`, one file per mode.
    Not thread-safe: one thread writes (the hook's writer thread)."""

    def __init__(self, folder: Path, worker: str) -> None:
        self.folder, self.worker = Path(folder), worker
        self._files: dict[ModeKeys, BinaryIO] = {}

    def _file(self, mode: ModeKeys, step: int) -> BinaryIO:
        found = self._files.get(mode)
        if found is None:
            path = self.folder / mode.name / f"{step:012d}_{self.worker}.tfevents"
            path.parent.mkdir(parents=True, exist_ok=True)
            found = self._files[mode] = path.open("ab")
            found.write(frame(encode_file_version_event(time.time()), checksummed=True))
        return found

    def write_scalar(self, mode: ModeKeys, tag: str, value: float, step: int, wall_time: float | None = None) -> None:
        """One scalar `tag` = `value` at global `step` of `mode`."""
        event = encode_scalar_event(time.time() if wall_time is None else wall_time, step, tag, float(value))
        self._file(mode, step).write(frame(event, checksummed=True))

    def flush(self) -> None:
        """Make what was written visible to readers (TensorBoard polls the files)."""
        for file in self._files.values():
            file.flush()

    def close(self) -> None:
        """Flush and close every file."""
        for file in self._files.values():
            file.close()
        self._files.clear()


def read_scalars(folder: str | Path) -> dict[str, list[tuple[int, float]]]:
    """Every scalar under `folder`'s TensorBoard event files: {"<MODE>/<tag>": [(step, value), ...]};
    ValueError if a record is damaged (a checksum does not match)."""
    found: dict[str, list[tuple[int, float]]] = {}
    for path in sorted(Path(folder).rglob("*tfevents*")):
        data, offset = path.read_bytes(), 0
        while offset + 12 <= len(data):
            (length,) = struct.unpack_from("<Q", data, offset)
            step, scalars = decode_scalar_event(unframe(data[offset:offset + length + 16], checksummed=True))
            offset += length + 16
            for tag, value in scalars:
                found.setdefault(f"{path.parent.name}/{tag}", []).append((step, value))
    return found
