"""`jupyter-ext pipelines list|start|executions|describe|stop|retry` (the verbs are
jupyter_ext.commands.pipelines, the same table as `%pipeline`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..commands.pipelines import PIPELINES
from .output import print_result

__all__ = ["add_pipelines_commands"]


def add_pipelines_commands(groups: Any) -> None:
    """Add the `pipelines` group to the `jupyter-ext` sub-parsers `groups`."""
    dataclasses.replace(PIPELINES, name="pipelines").add_to(groups, {}, print_result)
