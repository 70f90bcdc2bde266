"""Reading a run's tensors back: `create_trial(path)` with smdebug's Trial and Tensor API.

The trial reads index files as they appear, so it can follow a job that still runs;
`loaded_all_steps` turns True once the end-of-training marker is seen.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

from .event_files import decode_event, unframe
from .config import ModeKeys
from .exceptions import (
    MissingCollectionFiles, StepNotYetAvailable, StepUnavailable, TensorUnavailable, TensorUnavailableForStep,
)
from .writer import END_MARKER, reduce

__all__ = ["create_trial", "Trial", "Tensor", "StepState", "no_refresh", "refresh"]

_REDUCTION = re.compile(r"^smdebug/reductions/(abs_)?([a-z0-9]+)/(.+)$")


class StepState(Enum):
    """Whether a step can be read: UNAVAILABLE (skipped), AVAILABLE, NOT_YET_AVAILABLE."""

    UNAVAILABLE = 0
    AVAILABLE = 1
    NOT_YET_AVAILABLE = 2


@dataclass
class _Step:
    mode: ModeKeys
    mode_step: int
    event_file: str
    tensors: dict[str, tuple[int, int]] = field(default_factory=dict)
    bases: set[str] = field(default_factory=set)


class Trial:
    """A run's saved tensors (see `create_trial`)."""

    def __init__(self, path: str | Path, name: str | None = None, timeout: float | None = None) -> None:
        self.path = Path(path).expanduser().resolve()
        self.name = name or self.path.name
        self.dynamic_refresh = True
        self._steps: dict[int, _Step] = {}
        self._read_indexes: set[str] = set()
        self._collections: dict[str, Any] = {}
        self.loaded_all_steps = False
        self._wait_for_collections(timeout)

    def __repr__(self) -> str:
        return f"Trial({self.name!r}, steps={len(self._steps)}, loaded_all_steps={self.loaded_all_steps})"

    def _collections_file(self) -> Path | None:
        return next(iter(sorted(self.path.glob("collections/*/*_collections.json"))), None)

    def _wait_for_collections(self, timeout: float | None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._collections_file() is None:
            if (self.path / END_MARKER).exists():
                raise MissingCollectionFiles(str(self.path))
            if deadline is not None and time.monotonic() > deadline:
                raise MissingCollectionFiles(str(self.path))
            time.sleep(0.2)
        self.refresh()

    def refresh(self) -> None:
        """Read index files written since the last refresh."""
        ended = (self.path / END_MARKER).exists()  # before listing: no step can follow the marker
        for index in sorted(self.path.glob("index/*/*.json")):
            if index.name not in self._read_indexes:
                self._read_index(index)
        file = self._collections_file()
        if file is not None:
            self._collections = json.loads(file.read_text()).get("collections", {})
        self.loaded_all_steps = ended

    def _read_index(self, index: Path) -> None:
        data = json.loads(index.read_text())
        meta = data["meta"]
        step = int(index.name.split("_", 1)[0])
        entry = _Step(ModeKeys[meta["mode"]], int(meta["mode_step"]), meta["event_file_name"])
        for item in data.get("tensor_payload", []):
            entry.tensors[item["tensorname"]] = (int(item["start_idx"]), int(item["length"]))
        entry.bases = {(m.group(3) if (m := _REDUCTION.match(n)) else n) for n in entry.tensors}
        self._steps[step] = entry
        self._read_indexes.add(index.name)

    def _maybe_refresh(self) -> None:
        if self.dynamic_refresh and not self.loaded_all_steps:
            self.refresh()

    # --- steps and modes -----------------------------------------------------------

    def steps(self, mode: ModeKeys | None = None, show_incomplete_steps: bool = False) -> list[int]:
        """Saved global steps, or mode steps of `mode`."""
        self._maybe_refresh()
        if mode is None or mode == ModeKeys.GLOBAL:
            return sorted(self._steps)
        return sorted(s.mode_step for s in self._steps.values() if s.mode == mode)

    def modes(self) -> list[ModeKeys]:
        """Modes that have saved steps."""
        self._maybe_refresh()
        return sorted({s.mode for s in self._steps.values()})

    def mode(self, global_step: int) -> ModeKeys:
        """The mode of a saved global step."""
        return self._step(global_step).mode

    def mode_step(self, global_step: int) -> int:
        """The mode step of a saved global step."""
        return self._step(global_step).mode_step

    def global_step(self, mode: ModeKeys, mode_step: int) -> int:
        """The global step of `mode_step` in `mode`; StepUnavailable if it was not saved."""
        self._maybe_refresh()
        if mode == ModeKeys.GLOBAL:
            if mode_step in self._steps:
                return mode_step
        else:
            for step, entry in self._steps.items():
                if entry.mode == mode and entry.mode_step == mode_step:
                    return step
        if self.loaded_all_steps:
            raise StepUnavailable(mode_step, mode)
        raise StepNotYetAvailable(mode_step, mode)

    def _step(self, global_step: int) -> _Step:
        self._maybe_refresh()
        if global_step not in self._steps:
            raise StepUnavailable(global_step, ModeKeys.GLOBAL)
        return self._steps[global_step]

    def has_passed_step(self, step: int, mode: ModeKeys = ModeKeys.GLOBAL) -> StepState:
        """AVAILABLE if saved, UNAVAILABLE if training went past it, else NOT_YET_AVAILABLE."""
        self._maybe_refresh()
        steps = self.steps(mode)
        if step in steps:
            return StepState.AVAILABLE
        if self.loaded_all_steps or (steps and max(steps) > step):
            return StepState.UNAVAILABLE
        return StepState.NOT_YET_AVAILABLE

    def wait_for_steps(self, required_steps: Iterable[int], mode: ModeKeys = ModeKeys.GLOBAL,
                       timeout: float | None = None, poll: float = 0.2) -> None:
        """Block until every step is AVAILABLE or passed; StepUnavailable for a passed one."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for step in required_steps:
            while (state := self.has_passed_step(step, mode)) == StepState.NOT_YET_AVAILABLE:
                if deadline is not None and time.monotonic() > deadline:
                    raise StepNotYetAvailable(step, mode)
                time.sleep(poll)
            if state == StepState.UNAVAILABLE:
                raise StepUnavailable(step, mode)

    def workers(self) -> list[str]:
        """Workers that wrote tensors."""
        return sorted({p.stem.split("_", 1)[1] for p in self.path.glob("index/*/*.json")})

    # --- tensors and collections ---------------------------------------------------

    def tensor_names(self, step: int | None = None, mode: ModeKeys = ModeKeys.GLOBAL, regex: str | list[str] | None = None,
                     collection: str | None = None) -> list[str]:
        """Saved tensor names, optionally at one step, matching regexes, or in a collection."""
        self._maybe_refresh()
        if step is None:
            chosen = [e.bases for e in self._steps.values() if mode in (ModeKeys.GLOBAL, e.mode)]
            names = set().union(*chosen) if chosen else set()
        else:
            names = set(self._steps[self.global_step(mode, step)].bases)
        if collection is not None:
            members = self.collection(collection)
            patterns = [re.compile(r) for r in members.get("include_regex", [])]
            listed = set(members.get("tensor_names", []))
            names = {n for n in names if n in listed or any(p.search(n) for p in patterns)}
        if regex is not None:
            patterns = [re.compile(r) for r in ([regex] if isinstance(regex, str) else regex)]
            names = {n for n in names if any(p.search(n) for p in patterns)}
        return sorted(names)

    def has_tensor(self, name: str) -> bool:
        """Whether `name` was saved at some step."""
        return name in self.tensor_names()

    def tensor(self, name: str) -> Tensor:
        """The Tensor `name`; TensorUnavailable if it was never saved."""
        if not self.has_tensor(name):
            raise TensorUnavailable(name)
        return Tensor(self, name)

    def collections(self) -> dict[str, dict[str, Any]]:
        """The collections file's entries by name."""
        self._maybe_refresh()
        return dict(self._collections)

    def collection(self, name: str) -> dict[str, Any]:
        """One collection's entry (name, include_regex, tensor_names, configs)."""
        collections = self.collections()
        if name not in collections:
            raise TensorUnavailable(f"collection {name} (have: {', '.join(sorted(collections))})")
        return collections[name]

    def _read(self, global_step: int, stored_name: str) -> np.ndarray | None:
        entry = self._steps.get(global_step)
        if entry is None or stored_name not in entry.tensors:
            return None
        start, length = entry.tensors[stored_name]
        with open(self.path / entry.event_file, "rb") as file:
            file.seek(start)
            _, tensors = decode_event(unframe(file.read(length)))
        value = tensors[0].value
        return value if isinstance(value, np.ndarray) else np.asarray(value)


class Tensor:
    """One saved tensor across steps: values, reductions, shapes."""

    def __init__(self, trial: Trial, name: str) -> None:
        self.trial, self.name = trial, name

    def __repr__(self) -> str:
        return f"Tensor({self.name!r})"

    def steps(self, mode: ModeKeys = ModeKeys.GLOBAL, show_incomplete_steps: bool = False) -> list[int]:
        """Steps (global, or mode steps of `mode`) at which this tensor or a reduction of it was saved."""
        self.trial._maybe_refresh()
        chosen = []
        for step, entry in sorted(self.trial._steps.items()):
            if self.name in entry.bases and mode in (ModeKeys.GLOBAL, entry.mode):
                chosen.append(step if mode == ModeKeys.GLOBAL else entry.mode_step)
        return chosen

    def value(self, step_num: int, mode: ModeKeys = ModeKeys.GLOBAL, worker: str | None = None) -> np.ndarray:
        """The full tensor at `step_num`; TensorUnavailableForStep if only reductions (or nothing) were saved."""
        step = self.trial.global_step(mode, step_num)
        value = self.trial._read(step, self.name)
        if value is None:
            reduced = any(n.endswith("/" + self.name) for n in self.trial._steps[step].tensors)
            raise TensorUnavailableForStep(self.name, step_num, mode, reduced)
        return value

    def values(self, mode: ModeKeys = ModeKeys.GLOBAL, worker: str | None = None) -> dict[int, np.ndarray]:
        """{step: value} for every step with a full tensor."""
        out = {}
        for step in self.steps(mode):
            try:
                out[step] = self.value(step, mode)
            except TensorUnavailableForStep:
                continue
        return out

    def reduction_value(self, step_num: int, reduction_name: str, mode: ModeKeys = ModeKeys.GLOBAL,
                        worker: str | None = None, abs: bool = False) -> float:  # noqa: A002 - smdebug's name
        """A saved reduction (`l1`, `l2`, `mean`, ...) at a step, else one computed from the full tensor."""
        step = self.trial.global_step(mode, step_num)
        label = f"abs_{reduction_name}" if abs else reduction_name
        saved = self.trial._read(step, f"smdebug/reductions/{label}/{self.name}")
        if saved is not None:
            return float(saved)
        raw = self.trial._read(step, self.name)
        if raw is None:
            raise TensorUnavailableForStep(self.name, step_num, mode)
        return float(reduce(raw, reduction_name, abs))

    def reduction_values(self, step_num: int, mode: ModeKeys = ModeKeys.GLOBAL, worker: str | None = None) -> dict[tuple[str, bool], float]:
        """{(name, abs): value} of every reduction saved at a step."""
        step = self.trial.global_step(mode, step_num)
        out = {}
        for stored in self.trial._steps[step].tensors:
            match = _REDUCTION.match(stored)
            if match and match.group(3) == self.name:
                out[(match.group(2), bool(match.group(1)))] = float(self.trial._read(step, stored))  # type: ignore[arg-type]
        return out

    def shape(self, step_num: int, mode: ModeKeys = ModeKeys.GLOBAL, worker: str | None = None) -> tuple[int, ...]:
        """The tensor's shape at a step."""
        return tuple(self.value(step_num, mode).shape)

    def shapes(self, mode: ModeKeys = ModeKeys.GLOBAL) -> dict[int, tuple[int, ...]]:
        """{step: shape}."""
        return {step: tuple(value.shape) for step, value in self.values(mode).items()}

    def prev_steps(self, step: int, n: int, mode: ModeKeys = ModeKeys.GLOBAL) -> list[int]:
        """Up to `n` saved steps before `step`, oldest first."""
        return [s for s in self.steps(mode) if s < step][-n:]

    def workers(self, step_num: int, mode: ModeKeys = ModeKeys.GLOBAL) -> list[str]:
        """Workers that saved this tensor at a step."""
        return ["worker_0"] if step_num in self.steps(mode) else []


def create_trial(path: str | Path, name: str | None = None, timeout: float | None = None, **_smdebug_only: Any) -> Trial:
    """A Trial over a run's output folder (or a training job's name). Waits (polling) for
    the run's first saved step, for at most `timeout` seconds if given;
    MissingCollectionFiles if the run ended saving nothing."""
    folder = Path(path).expanduser()
    if not folder.exists():
        from ..errors import NotFoundError
        from ..jobs import describe_job

        try:
            folder = Path(describe_job(str(path)).job_dir) / "output" / "tensors"
        except (NotFoundError, ValueError):
            print(f"Waiting for {folder.resolve()}: it does not exist yet (give a run's tensors folder "
                  "or a training job's name).", file=sys.stderr, flush=True)
    return Trial(folder, name or (str(path) if folder != Path(path).expanduser() else None), timeout)


@contextmanager
def _refreshing(trials: Trial | list[Trial], on: bool) -> Iterator[None]:
    chosen = trials if isinstance(trials, list) else [trials]
    before = [t.dynamic_refresh for t in chosen]
    for trial in chosen:
        trial.dynamic_refresh = on
    try:
        yield
    finally:
        for trial, flag in zip(chosen, before):
            trial.dynamic_refresh = flag


def no_refresh(trials: Trial | list[Trial]) -> AbstractContextManager[None]:
    """Read without looking for new steps inside the block."""
    return _refreshing(trials, False)


def refresh(trials: Trial | list[Trial]) -> AbstractContextManager[None]:
    """Look for new steps on every read inside the block."""
    return _refreshing(trials, True)
