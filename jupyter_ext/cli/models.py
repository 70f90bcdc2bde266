"""`jupyter-ext models list-groups|list|describe|approve|reject|lineage` (the verbs are
jupyter_ext.commands.models)."""

from __future__ import annotations

import argparse
from typing import Any

from ..commands.models import MODELS, groups_table, packages_table
from .output import print_result

__all__ = ["add_models_commands"]


def _list_groups(groups: list[Any], args: argparse.Namespace) -> None:
    print_result(groups if args.json else groups_table(groups), args)


def _list(packages: list[Any], args: argparse.Namespace) -> None:
    print_result(packages if args.json else packages_table(packages), args)


def _describe(records: list[dict[str, Any]], args: argparse.Namespace) -> None:
    for record in records:
        print_result(record, args)


def add_models_commands(groups: Any) -> None:
    """Add the `models` group to the `jupyter-ext` sub-parsers `groups`."""
    MODELS.add_to(groups, {"list-groups": _list_groups, "list": _list, "describe": _describe}, print_result)
