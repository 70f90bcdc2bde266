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
    errors = [message.strip() for stream, message in tail if stream == "stderr" and message.strip()]
    for message in reversed(errors):
        if _EXCEPTION_LINE.match(message):
            return message
    if errors:
        return errors[-1]
    output = [message.strip() for _, message in tail if message.strip()]
    return output[-1] if output else None


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
