"""`jupyter-ext labeling start|list|describe|stop|answer` (the verbs are
jupyter_ext.commands.labeling, the same table as `%label`)."""

from __future__ import annotations

from typing import Any

from ..commands.labeling import LABELING
from .output import print_result

__all__ = ["add_labeling_commands"]


def add_labeling_commands(groups: Any) -> None:
    """Add the `labeling` group to the `jupyter-ext` sub-parsers `groups`."""
    LABELING.add_to(groups, {}, print_result)
