"""`jupyter-ext lifecycle ...` (the verbs are jupyter_ext.commands.lifecycle)."""

from __future__ import annotations

from typing import Any

from ..commands.lifecycle import LIFECYCLE
from .output import print_result

__all__ = ["add_lifecycle_commands"]


def add_lifecycle_commands(groups: Any) -> None:
    """Add the `lifecycle` group to the `jupyter-ext` sub-parsers `groups`."""
    LIFECYCLE.add_to(groups, {}, print_result)
