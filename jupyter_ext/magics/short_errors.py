"""Short errors in cells: our errors show their message and hint, not our traceback.

`%load_ext jupyter_ext` registers `show_short_error` as IPython's custom exception display
for the `JupyterExtError` family and `WaitInterrupted` (a Stop while a cell waits on a job).
The cell still fails (IPython records the error, the kernel replies "error", a papermill run
stops there); what is shown is the user's own frames, if the call came from their code, then
`ValidationError: <message>` and the hint.
"""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import IPython

from .. import errors

__all__ = ["SHORT_ERRORS", "register_short_errors", "show_short_error", "user_frames"]

SHORT_ERRORS: tuple[type[BaseException], ...] = (errors.JupyterExtError, errors.WaitInterrupted)

# Frames in these folders are ours or IPython's machinery (a magic's call), never the user's.
_NOT_THE_USERS = (str(Path(errors.__file__).parent) + "/", str(Path(IPython.__file__).parent) + "/")


def _machinery(frame: types.FrameType) -> bool:
    filename = frame.f_code.co_filename
    return filename.startswith(_NOT_THE_USERS) or filename.startswith("<decorator-gen")


def user_frames(tb: types.TracebackType | None) -> types.TracebackType | None:
    """The traceback `tb` with only the user's frames: not ours, not IPython's, and not the
    cell line that merely called a magic (whose next frame is IPython's)."""
    entries = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    kept = [entry for i, entry in enumerate(entries) if not _machinery(entry.tb_frame)
            and not (i + 1 < len(entries) and entries[i + 1].tb_frame.f_code.co_filename.startswith(_NOT_THE_USERS[1]))]
    chain: types.TracebackType | None = None
    for entry in reversed(kept):
        chain = types.TracebackType(chain, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return chain


def _structured(shell: Any, etype: type[BaseException], value: BaseException,
                frames: types.TracebackType | None) -> list[str]:
    if frames is None:
        return shell.InteractiveTB.get_exception_only(etype, value)
    # The causes and contexts are our internals: show this error alone.
    saved = value.__cause__, value.__suppress_context__
    value.__cause__, value.__suppress_context__ = None, True
    try:
        return shell.InteractiveTB.structured_traceback(etype, value, frames, tb_offset=0)
    finally:
        value.__cause__, value.__suppress_context__ = saved


def show_short_error(shell: Any, etype: type[BaseException], value: BaseException,
                     tb: types.TracebackType | None, tb_offset: int | None = None) -> list[str]:
    """IPython's custom exception handler: display the short form of one of our errors.

    Shown through the shell's `_showtraceback`, so a kernel sends it as the cell's error
    (ename, evalue and this short traceback) and the cell counts as failed.
    """
    stb = _structured(shell, etype, value, user_frames(tb))
    hint = getattr(value, "hint", None)
    if hint:
        stb = [*stb, f"Hint: {hint}"]
    shell._showtraceback(etype, value, stb)
    return stb


def register_short_errors(shell: Any) -> None:
    """Make `shell` show our errors short (`%load_ext jupyter_ext` does)."""
    shell.set_custom_exc(SHORT_ERRORS, show_short_error)
