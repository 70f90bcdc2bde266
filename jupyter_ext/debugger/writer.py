"""The writer thread: turns each saved step into smdebug's event file and index file, off
the training thread, so a training step never waits on the disk.

Order per step (a reader may look at any moment): event file first, then its index.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .event_files import TensorRecord, encode_event, frame
from .config import ModeKeys
from .tensorboard import TensorBoardWriter

__all__ = ["StepBuffer", "EventWriter", "reduce", "END_MARKER", "event_file_name", "index_file_name"]

END_MARKER = "training_job_end.ts"


def event_file_name(step: int, worker: str) -> str:
    """`events/<step:012>/<step:012>_<worker>.tfevents`."""
    return f"events/{step:012d}/{step:012d}_{worker}.tfevents"


def index_file_name(step: int, worker: str) -> str:
    """`index/<step // 1000:09>/<step:012>_<worker>.json`."""
    return f"index/{step // 1000:09d}/{step:012d}_{worker}.json"


def reduce(array: np.ndarray, name: str, absolute: bool) -> np.ndarray:
    """One reduction (min, max, mean, std, variance, sum, prod, l1, l2) of `array` as a 0-d float64."""
    values = np.abs(array) if absolute else array
    values = values.astype(np.float64, copy=False)
    if name == "l1":
        return np.asarray(np.sum(np.abs(values)))
    if name == "l2":
        return np.asarray(np.sqrt(np.sum(values * values)))
    function = {"variance": np.var}.get(name) or getattr(np, name)
    return np.asarray(function(values))


@dataclass
class StepBuffer:
    """Tensors saved in one step: (name, array, reductions [(name, abs)], raw?) tuples;
    `summaries` names the scalars that also go to TensorBoard."""

    step: int
    mode: ModeKeys
    mode_step: int
    items: list[tuple[str, Any, list[tuple[str, bool]], bool]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    summaries: set[str] = field(default_factory=set)


class EventWriter:
    """Writes StepBuffers on a background thread; `close()` drains it and writes the end marker.

    `collections_json()` is called for the collections file after the first step and at close;
    with `tensorboard`, each step's summaries are TensorBoard scalars too.
    """

    def __init__(self, out_dir: Path, worker: str, collections_json: Callable[[], dict[str, Any]],
                 dry_run: bool = False, tensorboard: TensorBoardWriter | None = None) -> None:
        self.out_dir, self.worker, self.dry_run = out_dir, worker, dry_run
        self.tensorboard = tensorboard
        self._collections_json = collections_json
        self._queue: queue.Queue[StepBuffer | None] = queue.Queue()
        self._wrote_collections = False
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="smdebug-writer", daemon=True)
        self._thread.start()

    def submit(self, buffer: StepBuffer) -> None:
        """Queue one step for writing (returns at once)."""
        if buffer.items:
            self._queue.put(buffer)

    def close(self) -> None:
        """Write every queued step, the collections file and the end marker."""
        self._queue.put(None)
        self._thread.join()
        if self.tensorboard is not None:
            self.tensorboard.close()
        if not self.dry_run:
            self.write_collections()
            (self.out_dir / END_MARKER).write_text("")
        if self.error is not None:
            raise RuntimeError(f"The debugger could not write tensors: {self.error}") from self.error

    def write_collections(self) -> None:
        """`collections/000000000/<worker>_collections.json`, replaced atomically."""
        path = self.out_dir / "collections" / "000000000" / f"{self.worker}_collections.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self._collections_json()))
        temporary.replace(path)

    def _run(self) -> None:
        while True:
            buffer = self._queue.get()
            if buffer is None:
                return
            if self.dry_run or self.error is not None:
                continue
            try:
                self._write(buffer)
                if not self._wrote_collections:
                    self.write_collections()
                    self._wrote_collections = True
            except BaseException as error:  # reported at close(); training goes on
                self.error = error

    def _records(self, buffer: StepBuffer) -> list[TensorRecord]:
        records = []
        for name, value, reductions, raw in buffer.items:
            if not isinstance(value, np.ndarray):
                value = value.float() if str(value.dtype) == "torch.bfloat16" else value
            array = value if isinstance(value, np.ndarray) else value.numpy()
            if raw:
                records.append(TensorRecord(name, array, buffer.mode.value, buffer.mode_step))
            for reduction, absolute in reductions:
                label = f"abs_{reduction}" if absolute else reduction
                records.append(TensorRecord(f"smdebug/reductions/{label}/{name}", reduce(array, reduction, absolute),
                                            buffer.mode.value, buffer.mode_step))
        return records

    def _write(self, buffer: StepBuffer) -> None:
        event_name = event_file_name(buffer.step, self.worker)
        payload, chunks, offset, now = [], [], 0, time.time()
        for record in self._records(buffer):
            data = frame(encode_event(now, buffer.step, record))
            payload.append({"tensorname": record.name, "start_idx": offset, "length": len(data)})
            chunks.append(data)
            offset += len(data)
        event_path = self.out_dir / event_name
        event_path.parent.mkdir(parents=True, exist_ok=True)
        event_path.write_bytes(b"".join(chunks))
        index = {"meta": {"mode": buffer.mode.name, "mode_step": buffer.mode_step, "event_file_name": event_name},
                 "tensor_payload": payload, "shape_payload": []}
        index_path = self.out_dir / index_file_name(buffer.step, self.worker)
        index_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = index_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(index))
        temporary.replace(index_path)
        self._write_summaries(buffer, now)

    def _write_summaries(self, buffer: StepBuffer, now: float) -> None:
        """The step's scalar summaries as TensorBoard scalars (tensors of one value only)."""
        if self.tensorboard is None or not buffer.summaries:
            return
        for name, value, _, _ in buffer.items:
            if name in buffer.summaries:
                array = value if isinstance(value, np.ndarray) else value.float().numpy()
                if array.size == 1:
                    tag = name.removeprefix("scalar/")  # save_scalar's own name, as smdebug tags it
                    self.tensorboard.write_scalar(buffer.mode, tag, float(array.reshape(())), buffer.step, now)
        self.tensorboard.flush()
