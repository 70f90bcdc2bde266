"""The actor that runs one host of a job on a Ray node.

The runner sends the host's folder (its `/opt/ml`: code, config, input data) as a tar
archive; the actor unpacks it in a scratch folder of its node, runs the program there as a
local host (its folder at /opt/ml), hands its output lines back as the runner asks for
them, and at the end sends back what the program wrote (model, output, checkpoints).
"""

from __future__ import annotations

import io
import os
import queue
import shutil
import socket
import sys
import tarfile
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import ray

from ..jobs.contract import python_first_path
from ..jobs.hosts import LocalHost
from ..jobs.process import free_port

__all__ = ["HostActor", "pack_folder", "unpack_folder", "SENT_BACK"]

# What a host sends back when its program ended: what SageMaker keeps of an instance.
SENT_BACK = ("model", "output", "checkpoints", "metrics.jsonl")
_READ_BATCH = 500


def pack_folder(folder: Path, names: Sequence[str] | None = None, skip: Sequence[str] = ()) -> bytes:
    """`folder`'s entries (only `names` when given, never those in `skip`) as a tar archive."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
            if (names is None or entry.name in names) and entry.name not in skip:
                archive.add(entry, arcname=entry.name)
    return buffer.getvalue()


def unpack_folder(data: bytes, folder: Path) -> None:
    """Unpack a `pack_folder` archive into `folder` (members may not leave it)."""
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(folder, filter="data")


class HostActor:
    """One host's program on the node Ray placed this actor on."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.folder = Path(tempfile.mkdtemp(prefix=f"jupyter-ext-{name}-"))
        self.lines: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.host: LocalHost | None = None
        self.readers: list[threading.Thread] = []
        self.metrics_offset = 0

    def place(self) -> dict[str, object]:
        """Where this actor runs: the node's address and id, and a free port there."""
        address = ray.util.get_node_ip_address()
        return {"address": address, "node_id": ray.get_runtime_context().get_node_id(),
                "hostname": socket.gethostname(), "port": free_port(address)}

    def start(self, archive: bytes, runner_folders: Sequence[str], program: Sequence[str],
              runner_python: str, working_dir: str, env: Mapping[str, str]) -> tuple[int, str | None]:
        """Unpack the host folder and start the program; its pid (on this node) and its
        /opt/ml note, if any.
        Paths under `runner_folders` (the host's and the job's folder where the runner
        is) are rewritten to this node's folder."""
        unpack_folder(archive, self.folder)
        here = str(self.folder)
        local_env = {}
        for key, value in env.items():
            for folder in runner_folders:
                value = value.replace(folder, here)
            local_env[key] = value
        if "PATH" in local_env:  # this node's Python first, on this node's PATH (not the driver's)
            local_env["PATH"] = python_first_path()
        command = [sys.executable if program[0] == runner_python else program[0], *program[1:]]
        self.host = LocalHost(self.name, self.folder, command, self.folder / working_dir, local_env, die_with_starter=True)
        self.readers = [threading.Thread(target=self._read, args=(lines,), daemon=True)
                        for lines in self.host.outputs()]
        for reader in self.readers:
            reader.start()
        return self.host.process.pid, self.host.note

    def _read(self, lines: object) -> None:
        for item in lines:  # type: ignore[attr-defined]
            self.lines.put(item)

    def read(self, timeout: float) -> tuple[list[tuple[str, bytes]], list[str], int | None]:
        """Output lines so far (waiting up to `timeout` s for the first), new metric
        lines the program pushed, and its exit code once it ended and all was read."""
        assert self.host is not None
        batch: list[tuple[str, bytes]] = []
        try:
            batch.append(self.lines.get(timeout=timeout))
            while len(batch) < _READ_BATCH:
                batch.append(self.lines.get_nowait())
        except queue.Empty:
            pass
        code = self.host.poll()
        done = code is not None and not any(r.is_alive() for r in self.readers) and self.lines.empty()
        return batch, self._new_metrics(), code if done else None

    def _new_metrics(self) -> list[str]:
        path = self.folder / "metrics.jsonl"
        if not path.is_file():
            return []
        with open(path, "rb") as file:
            file.seek(self.metrics_offset)
            data = file.read()
        complete = data[:data.rfind(b"\n") + 1]
        self.metrics_offset += len(complete)
        return complete.decode("utf-8", "replace").splitlines()

    def terminate(self, grace: float) -> bool:
        """SIGTERM the program, SIGKILL after `grace` s; True if it ended in time."""
        return self.host.terminate(grace) if self.host is not None else True

    def collect(self) -> bytes:
        """What the program wrote, as a tar archive; the node's folder is then removed."""
        try:
            return pack_folder(self.folder, [name for name in SENT_BACK if name != "metrics.jsonl"])
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def pid(self) -> int:
        """The actor's own process id (on its node)."""
        return os.getpid()
