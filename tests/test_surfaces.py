"""The surfaces' shape: one verb table behind each CLI group and its magic, and magics
that show results through `jupyter_ext.display` rather than importing widgets."""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

import pytest
from IPython.core.magic_arguments import MagicArgumentParser

import jupyter_ext
from jupyter_ext.cli import build_parser
from jupyter_ext.commands.monitor import MONITOR
from jupyter_ext.commands.text import parse_pairs, text_table
from jupyter_ext.errors import ValidationError

MAGICS = Path(jupyter_ext.__file__).parent / "magics"


def _subparser(parser: argparse.ArgumentParser, *path: str) -> argparse.ArgumentParser:
    for name in path:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[name]
    return parser


def _option_names(parser: argparse.ArgumentParser) -> set[str]:
    return {s for a in parser._actions if not isinstance(a, argparse._HelpAction)
            for s in (a.option_strings or [a.dest])}


def test_monitor_run_takes_the_same_options_in_the_cli_and_the_magic() -> None:
    cli = _option_names(_subparser(build_parser(), "monitor", "run"))
    magic = _option_names(_subparser(MONITOR.magic_parser(MagicArgumentParser), "run"))
    assert cli == magic
    assert {"--at", "--wait", "--baseline", "--output", "endpoint"} <= cli  # both surfaces' options of old


def test_every_verb_of_the_monitor_table_is_in_both_surfaces() -> None:
    cli = set(_subparser(build_parser(), "monitor")._actions[-1].choices)
    magic = set(MONITOR.magic_parser(MagicArgumentParser)._actions[-1].choices)
    assert cli == magic == {v.name for v in MONITOR.verbs}


@pytest.mark.parametrize("module", sorted(MAGICS.glob("*.py")), ids=lambda p: p.name)
def test_no_magic_imports_widgets(module: Path) -> None:
    tree = ast.parse(module.read_text())
    imported = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            # jupyter_ext/magics/x.py: `from .y` is jupyter_ext.magics.y, `from ..y` is jupyter_ext.y
            package = ["jupyter_ext", "magics"][:max(0, 3 - node.level)] if node.level else []
            base = ".".join([*package, *([node.module] if node.module else [])])
            imported += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    assert not [name for name in imported if name.startswith("jupyter_ext.widgets")]


def test_one_key_value_parser_and_one_table() -> None:
    assert parse_pairs(["a=1", "b = x=y"], "--hp", decode=True) == {"a": 1, "b": " x=y"}
    with pytest.raises(ValidationError, match="--env 'oops' must look like NAME=VALUE"):
        parse_pairs(["oops"], "--env")
    assert text_table([("A", "BB", "C"), ("long", "x", "tail")]).splitlines() == ["A     BB  C", "long  x   tail"]
