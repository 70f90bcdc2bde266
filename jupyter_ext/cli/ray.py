"""`jupyter-ext ray serve|status|stop` (the verbs are jupyter_ext.commands.ray)."""

from __future__ import annotations

from typing import Any

from ..commands.ray import RAY
from .output import print_result

__all__ = ["add_ray_commands"]


def add_ray_commands(groups: Any) -> None:
    """Add the `ray` group to the `jupyter-ext` sub-parsers `groups`."""
    RAY.add_to(groups, {}, print_result)
