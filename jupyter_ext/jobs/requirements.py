"""`requirements.txt` in a job's code: installed once per distinct file, then reused.

Packages go into `<home>/cache/requirements/<hash>/` (pip --target), which the program
gets on its PYTHONPATH. A file lock lets two jobs with the same file share one install.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from ..errors import JupyterExtError
from ..store import home
from .logs import LogWriter

__all__ = ["install_requirements", "requirements_cache"]


def requirements_cache(requirements: Path) -> Path:
    """The cache folder for this exact requirements file and Python version."""
    digest = hashlib.sha256(requirements.read_bytes() + sys.version.encode()).hexdigest()[:16]
    return home() / "cache" / "requirements" / digest


def install_requirements(requirements: Path, log: LogWriter) -> Path:
    """Install (or reuse) the packages; return the folder to put on PYTHONPATH."""
    target = requirements_cache(requirements)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / ".complete").exists():
            log.write("runner", f"requirements.txt: using the cached install in {target}")
            return target
        log.write("runner", f"requirements.txt: installing into {target}")
        shutil.rmtree(target, ignore_errors=True)  # what a failed install left
        result = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check",
             "--no-input", "--target", str(target), "-r", str(requirements)],
            cwd=requirements.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, text=True,
        )
        for line in result.stdout.splitlines():
            log.write("runner", line)
        if result.returncode != 0:
            last = next((l for l in reversed(result.stdout.splitlines()) if l.strip()), "")
            raise JupyterExtError(f"Installing requirements.txt failed: {last.strip()}")
        (target / ".complete").touch()
    return target
