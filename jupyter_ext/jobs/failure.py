"""The failure reason of a job that exited non-zero: `output/failure` if the program
wrote one (SageMaker's contract), else the error its log ends with."""

from __future__ import annotations

import re
import signal
from pathlib import Path

__all__ = ["failure_reason", "MAX_REASON"]

MAX_REASON = 1024
# The last line of a Python traceback: "ValueError: ...", "pkg.mod.MyError", "KeyboardInterrupt".
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning)\b(:.*)?$")


def _exit_text(code: int) -> str:
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _last_error(tail: list[tuple[str, str]]) -> str | None:
    """The last exception line on stderr, else on stdout (a script that catches and prints
    it), else the last stderr line, else the last line."""
    lines = [(stream, message.strip()) for stream, message in tail if message.strip()]
    exceptions = [(stream, message) for stream, message in lines if _EXCEPTION_LINE.match(message)]
    errors = [message for stream, message in lines if stream == "stderr"]
    for candidates in ([m for s, m in exceptions if s == "stderr"], [m for _, m in exceptions], errors,
                       [m for _, m in lines]):
        if candidates:
            return candidates[-1]
    return None


def failure_reason(failure_file: Path, tail: list[tuple[str, str]], code: int) -> str:
    """A one-paragraph reason, at most 1024 characters."""
    try:
        written = failure_file.read_text(errors="replace").strip()
    except OSError:
        written = ""
    if written:
        reason = written
    else:
        error = _last_error(tail)
        reason = f"AlgorithmError: {error} ({_exit_text(code)})" if error else f"AlgorithmError: {_exit_text(code)}"
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 3] + "..."
