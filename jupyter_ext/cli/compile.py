"""`jupyter-ext compile MODEL --target ... --shape ...` (the verb is jupyter_ext.commands.compile)."""

from __future__ import annotations

import argparse
from typing import Any

from ..commands.compile import COMPILE

__all__ = ["add_compile_command"]


def _run(args: argparse.Namespace) -> None:
    COMPILE.run(args)


def add_compile_command(groups: Any) -> None:
    """Add `compile` (one verb, no sub-commands) to the `jupyter-ext` sub-parsers `groups`."""
    parser = groups.add_parser("compile", help=COMPILE.help, description=COMPILE.help)
    COMPILE.add_arguments(parser)
    parser.set_defaults(verb=COMPILE, run=_run)
