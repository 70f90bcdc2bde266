"""The debugger verbs: `jupyter-ext debugger ...` and `%debugger ...`."""

from __future__ import annotations

import argparse
from typing import Any

from ..display import ShowTensors
from ..errors import ValidationError
from . import Verb, VerbTable, arg

__all__ = ["DEBUGGER"]

# debugger.analysis.STATISTICS and "distribution", spelled out so building a parser imports no numpy.
_STATISTICS = ("l2", "l1", "mean", "std", "min", "max", "variance", "distribution")


def _rules(args: argparse.Namespace) -> list[Any]:
    from ..debugger import rule_evaluations, wait_for_rule_evaluations

    return wait_for_rule_evaluations(args.name) if args.wait else rule_evaluations(args.name)


def _first_run(args: argparse.Namespace, verb: str) -> str:
    if not args.runs:
        raise ValidationError(f"%debugger {verb} needs a training job name (or a tensors folder).")
    return args.runs[0]


def _tensors(args: argparse.Namespace) -> list[str]:
    from ..debugger.analysis import open_run

    return open_run(_first_run(args, "tensors")).tensor_names(regex=args.regex, collection=args.collection)


def _view(args: argparse.Namespace) -> ShowTensors:
    _first_run(args, "view")
    return ShowTensors(tuple(args.runs), args.tensor, args.stat, args.mode)


def _builtin_rules(args: argparse.Namespace) -> list[str]:
    from ..debugger import rule_names

    return rule_names()


_RUNS = arg("runs", nargs="*", help="training job names or tensor folders")

DEBUGGER = VerbTable("debugger", "debugger rule results and saved tensors", (
    Verb("rules", "a training job's rule statuses (and the step that triggered)", _rules, (
        arg("name", help="the training job"),
        arg("--wait", action="store_true", help="wait until every rule has a final status"),
    )),
    Verb("tensors", "the names of a run's saved tensors", _tensors, (
        _RUNS,
        arg("--regex", help="only names matching this regex"),
        arg("--collection", help="only this collection's tensors"),
    )),
    Verb("view", "the tensor viewer over runs", _view, (
        _RUNS,
        arg("--tensor", help="the tensor to view (default: the first name)"),
        arg("--stat", default="l2", choices=_STATISTICS, help="what to plot (default l2)"),
        arg("--mode", default="GLOBAL", help="TRAIN, EVAL, PREDICT or GLOBAL (default)"),
    ), surfaces=frozenset({"magic"})),
    Verb("builtin-rules", "the built-in rule names", _builtin_rules),
))
