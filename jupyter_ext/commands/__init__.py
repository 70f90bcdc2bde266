"""Verb tables: each capability's verbs, written once and rendered by two surfaces.

A `VerbTable` ("monitor") lists `Verb`s ("run", "list", ...): a name, a help line,
argparse-style argument specs and a handler that calls the Python API and returns a
result. The CLI turns a table into an argparse sub-command group (`add_to`), a magic
into its own parser (`magic_parser`), so `jupyter-ext monitor run` and `%monitor run`
take the same options. How a result is printed (CLI) or shown (notebook) is each
surface's business; a handler that streams output (logs, a script's lines) prints.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Argument", "Handler", "Verb", "VerbTable", "arg"]

Handler = Callable[[argparse.Namespace], Any]


@dataclass(frozen=True)
class Argument:
    """One argparse argument: its flags (or positional name) and `add_argument` options.

    The extra option `exclusive="NAME"` puts arguments of the same NAME in one
    mutually exclusive group.
    """

    flags: tuple[str, ...]
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def dest(self) -> str:
        """The attribute name argparse gives the parsed value."""
        if "dest" in self.options:
            return str(self.options["dest"])
        long = next((f for f in self.flags if f.startswith("--")), self.flags[0])
        return long.lstrip("-").replace("-", "_")


def arg(*flags: str, **options: Any) -> Argument:
    """An argument spec, written as `add_argument` would take it."""
    return Argument(tuple(flags), options)


@dataclass(frozen=True)
class Verb:
    """A verb of a capability: `name`, `help`, `arguments` and the `run` handler.

    `magic_defaults` are defaults that differ in a notebook (e.g. a smaller `--limit`);
    `surfaces` says where the verb exists ("cli", "magic").
    """

    name: str
    help: str
    run: Handler
    arguments: tuple[Argument, ...] = ()
    magic_defaults: Mapping[str, Any] = field(default_factory=dict)
    surfaces: frozenset[str] = frozenset({"cli", "magic"})

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add this verb's arguments to `parser`."""
        groups: dict[str, Any] = {}
        for argument in self.arguments:
            options = dict(argument.options)
            exclusive = options.pop("exclusive", None)
            target: Any = parser
            if exclusive:
                target = groups.setdefault(exclusive, parser.add_mutually_exclusive_group())
            target.add_argument(*argument.flags, **options)

    def option_names(self) -> set[str]:
        """Every flag and positional name this verb accepts (for comparing surfaces)."""
        return {flag for argument in self.arguments for flag in argument.flags}


@dataclass(frozen=True)
class VerbTable:
    """The verbs of one capability, e.g. `VerbTable("monitor", "Model Monitor", (...))`.

    `default_verb` is run when a magic is given no verb at all (`%endpoints`);
    `magic_name` names the magic when it is not the group's name (`%model` for `models`).
    """

    name: str
    help: str
    verbs: tuple[Verb, ...]
    default_verb: str | None = None
    magic_name: str | None = None

    def verb(self, name: str) -> Verb:
        """The verb called `name` (KeyError if there is none)."""
        for verb in self.verbs:
            if verb.name == name:
                return verb
        raise KeyError(name)

    def on(self, surface: str) -> list[Verb]:
        """The verbs that exist on `surface` ("cli" or "magic")."""
        return [verb for verb in self.verbs if surface in verb.surfaces]

    def add_to(self, groups: Any, render: Mapping[str, Callable[[Any, argparse.Namespace], Any]],
               default_render: Callable[[Any, argparse.Namespace], Any]) -> None:
        """Add this table as a sub-command group to the `jupyter-ext` sub-parsers `groups`.

        Each verb's parser gets `run`: the handler, then `render[verb]` (or
        `default_render`) of its result.
        """
        commands = groups.add_parser(self.name, help=self.help).add_subparsers(dest="verb_name", required=True)
        for verb in self.on("cli"):
            parser = commands.add_parser(verb.name, help=verb.help, description=verb.help)
            verb.add_arguments(parser)
            parser.set_defaults(verb=verb, run=_rendered(verb.run, render.get(verb.name, default_render)))

    def magic_parser(self, parser_class: type[argparse.ArgumentParser]) -> argparse.ArgumentParser:
        """A parser for `%name VERB ...`; the chosen Verb is the parsed `verb`."""
        parser = parser_class(prog=f"%{self.magic_name or self.name}", description=self.help)
        verbs = parser.add_subparsers(dest="verb_name", required=True, parser_class=parser_class)
        for verb in self.on("magic"):
            sub = verbs.add_parser(verb.name, help=verb.help, description=verb.help)
            verb.add_arguments(sub)
            sub.set_defaults(verb=verb, **verb.magic_defaults)
        return parser

    def magic_words(self, words: Sequence[str]) -> list[str]:
        """`words` with the default verb in front when none was given."""
        if self.default_verb and (not words or words[0].startswith("-")):
            return [self.default_verb, *words]
        return list(words)


def _rendered(run: Handler, render: Callable[[Any, argparse.Namespace], Any]) -> Handler:
    return lambda args: render(run(args), args)
