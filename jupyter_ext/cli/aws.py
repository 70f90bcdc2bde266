"""`jupyter-ext aws serve|status|stop|env` (the verbs are jupyter_ext.commands.aws)."""

from __future__ import annotations

from typing import Any

from ..commands.aws import AWS
from .output import print_result

__all__ = ["add_aws_commands"]


def add_aws_commands(groups: Any) -> None:
    """Add the `aws` group to the `jupyter-ext` sub-parsers `groups`."""
    AWS.add_to(groups, {}, print_result)
