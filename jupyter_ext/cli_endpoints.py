"""`jupyter-ext endpoints list|describe|delete`: the endpoints part of the command line.

    jupyter-ext endpoints list [--json]
    jupyter-ext endpoints describe NAME
    jupyter-ext endpoints delete NAME [NAME ...]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from .serving import delete_endpoint, describe_endpoint, list_endpoints
from .serving.display import endpoints_table

__all__ = ["add_endpoints_commands"]


def _list(args: argparse.Namespace) -> None:
    endpoints = list_endpoints()
    if args.json:
        print(json.dumps([e.to_dict() for e in endpoints], indent=1))
        return
    print(endpoints_table(endpoints))


def _describe(args: argparse.Namespace) -> None:
    print(json.dumps(describe_endpoint(args.name).to_dict(), indent=1))


def _delete(args: argparse.Namespace) -> None:
    for name in args.names:
        delete_endpoint(name)
        print(f"Deleted endpoint {name}")


def add_endpoints_commands(groups: Any) -> None:
    """Add the `endpoints` command group to the `jupyter-ext` parser's subparsers."""
    commands = groups.add_parser("endpoints", help="list, describe and delete model endpoints").add_subparsers(
        dest="command", required=True)
    listing = commands.add_parser("list", help="endpoints, newest first, with their variants' traffic")
    listing.add_argument("--json", action="store_true", help="print JSON records")
    listing.set_defaults(run=_list)
    describe = commands.add_parser("describe", help="everything about an endpoint, as JSON")
    describe.add_argument("name")
    describe.set_defaults(run=_describe)
    delete = commands.add_parser("delete", help="stop endpoints and free their ports")
    delete.add_argument("names", nargs="+")
    delete.set_defaults(run=_delete)
