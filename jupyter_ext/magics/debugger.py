"""`%debugger` magics: a training job's rule results, its saved tensors, and the tensor
viewer (the verbs of `jupyter-ext debugger`). Each raises on failure, so a papermill run
fails on the cell that failed."""

from __future__ import annotations

import argparse
from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class

from ..commands.debugger import DEBUGGER
from .dispatch import run_table

__all__ = ["DebuggerMagics"]


def _print_rules(evaluations: list[Any], args: argparse.Namespace) -> None:
    if not evaluations:
        print(f"Job {args.name} has no debugger rules.")
    for r in evaluations:
        at = "" if r.triggered_step is None else f" at step {r.triggered_step}"
        print(f"{r.rule_configuration_name}: {r.rule_evaluation_status}{at}  {r.status_details}".rstrip())


@magics_class
class DebuggerMagics(Magics):
    """Magics over the debugger API."""

    @line_magic
    def debugger(self, line: str) -> Any:
        """Look at a debugged training job.

        %debugger rules JOB [--wait]          rule statuses (and the step that triggered)
        %debugger tensors RUN [--collection gradients] [--regex fc1]
        %debugger view RUN [RUN ...] --tensor gradient/Net_fc1.weight [--stat l2|distribution]
        %debugger builtin-rules               the built-in rule names
        """
        return run_table(DEBUGGER, line, self.shell, render={"rules": _print_rules})
