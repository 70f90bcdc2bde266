"""`jupyter-ext debugger rules NAME [--wait]|tensors RUN|builtin-rules`, as JSON (the
verbs are jupyter_ext.commands.debugger)."""

from __future__ import annotations

from typing import Any

from ..commands.debugger import DEBUGGER
from .output import print_result

__all__ = ["add_debugger_commands"]


def add_debugger_commands(groups: Any) -> None:
    """Add the `debugger` group to the `jupyter-ext` sub-parsers `groups`."""
    DEBUGGER.add_to(groups, {}, print_result)
