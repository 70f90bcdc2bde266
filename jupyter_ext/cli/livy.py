"""`jupyter-ext livy serve|status|stop|configure` (the verbs are jupyter_ext.commands.livy)."""

from __future__ import annotations

from typing import Any

from ..commands.livy import LIVY
from .output import print_result

__all__ = ["add_livy_commands"]


def add_livy_commands(groups: Any) -> None:
    """Add the `livy` group to the `jupyter-ext` sub-parsers `groups`."""
    LIVY.add_to(groups, {}, print_result)
