"""`jupyter-ext endpoints list|describe|delete` (the verbs are jupyter_ext.commands.endpoints)."""

from __future__ import annotations

import argparse
from typing import Any

from ..commands.endpoints import ENDPOINTS, endpoints_table
from ..models import EndpointDescription
from .output import print_result

__all__ = ["add_endpoints_commands"]


def _list(endpoints: list[EndpointDescription], args: argparse.Namespace) -> None:
    print_result(endpoints if args.json else endpoints_table(endpoints), args)


def _describe(records: list[dict[str, Any]], args: argparse.Namespace) -> None:
    for record in records:
        print_result(record, args)


def add_endpoints_commands(groups: Any) -> None:
    """Add the `endpoints` group to the `jupyter-ext` sub-parsers `groups`."""
    ENDPOINTS.add_to(groups, {"list": _list, "describe": _describe}, print_result)
