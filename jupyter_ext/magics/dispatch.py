"""The one way every magic runs: split the line as a shell would (quotes group words and
go away), parse it, call the handler, and hand the result to `jupyter_ext.display.show`.

A handler's error propagates, so a papermill run fails on the cell that failed; a bad
option is IPython's UsageError.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Any

from IPython.core.magic_arguments import MagicArgumentParser
from IPython.utils.process import arg_split

from ..commands import Handler, Verb, VerbTable
from ..display import show

__all__ = ["Render", "run_magic", "run_table", "run_verb"]

Render = Callable[[Any, argparse.Namespace], Any]


def _show(result: Any, args: argparse.Namespace) -> Any:
    return show(result)


def _run(parser: argparse.ArgumentParser, words: list[str], handler: Callable[[argparse.Namespace], Any],
         shell: Any, render: Render = _show, rest: bool = False) -> Any:
    cut = words.index("--") if rest and "--" in words else len(words)
    args = parser.parse_args(words[:cut])
    args.shell, args.rest = shell, words[cut + 1:]
    return render(handler(args), args)


def run_magic(magic: Any, line: str, handler: Handler, shell: Any, rest: bool = False) -> Any:
    """Run a `@magic_arguments` magic: its own parser, then `handler(args)`, shown.

    With `rest`, the words after `--` are not parsed: they are `args.rest`.
    """
    return _run(magic.parser, arg_split(line, posix=True), handler, shell, rest=rest)


def run_table(table: VerbTable, line: str, shell: Any, handlers: Mapping[str, Handler] | None = None,
              render: Mapping[str, Render] | None = None) -> Any:
    """Run `%table VERB ...` from the verb table; `handlers` replace verbs' handlers in
    the kernel (e.g. a gateway served from the kernel), `render` their results' showing."""
    parser = table.magic_parser(MagicArgumentParser)
    words = table.magic_words(arg_split(line, posix=True))
    verb_name = words[0] if words else ""
    handler = (handlers or {}).get(verb_name)
    return _run(parser, words, lambda args: (handler or args.verb.run)(args), shell,
                (render or {}).get(verb_name, _show))


def run_verb(verb: Verb, magic_name: str, line: str, shell: Any, render: Render = _show) -> Any:
    """Run one verb as a magic of its own (`%jobs` is the jobs table's `list`)."""
    parser = MagicArgumentParser(prog=f"%{magic_name}", description=verb.help)
    verb.add_arguments(parser)
    parser.set_defaults(verb=verb, verb_name=verb.name, **verb.magic_defaults)
    return _run(parser, arg_split(line, posix=True), verb.run, shell, render)
