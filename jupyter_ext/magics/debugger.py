"""`%debugger` magics: a training job's rule results, its saved tensors, and the tensor
viewer. Each raises on failure, so a papermill run fails on the cell that failed."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from ..debugger.analysis import STATISTICS, open_run
from ..debugger.rule_jobs import rule_evaluations, wait_for_rule_evaluations
from ..debugger.rules import rule_names
from ..errors import ValidationError
from . import parse_argstring

__all__ = ["DebuggerMagics"]

_VERBS = ("rules", "tensors", "view", "builtin-rules")


@magics_class
class DebuggerMagics(Magics):
    """Magics over the debugger API."""

    @magic_arguments()
    @argument("verb", choices=_VERBS, help="rules JOB | tensors RUN | view RUN [RUN ...] | builtin-rules")
    @argument("runs", nargs="*", help="training job names or tensor folders")
    @argument("--tensor", help="the tensor to view (default: the first name)")
    @argument("--stat", default="l2", choices=[*STATISTICS, "distribution"], help="what to plot (default l2)")
    @argument("--mode", default="GLOBAL", help="TRAIN, EVAL, PREDICT or GLOBAL (default)")
    @argument("--regex", help="tensors: only names matching this regex")
    @argument("--collection", help="tensors: only this collection's tensors")
    @argument("--wait", action="store_true", help="rules: wait until every rule has a final status")
    @line_magic
    def debugger(self, line: str) -> Any:
        """Look at a debugged training job.

        %debugger rules JOB [--wait]          rule statuses (and the step that triggered)
        %debugger tensors RUN [--collection gradients] [--regex fc1]
        %debugger view RUN [RUN ...] --tensor gradient/Net_fc1.weight [--stat l2|distribution]
        %debugger builtin-rules               the built-in rule names
        """
        args = parse_argstring(self.debugger, line)
        if args.verb == "builtin-rules":
            return rule_names()
        if not args.runs:
            raise ValidationError(f"%debugger {args.verb} needs a training job name (or a tensors folder).")
        if args.verb == "rules":
            return self._rules(args.runs[0], args.wait)
        if args.verb == "tensors":
            return open_run(args.runs[0]).tensor_names(regex=args.regex, collection=args.collection)
        from ..widgets.tensor_viewer import TensorViewer

        return TensorViewer(args.runs, tensor=args.tensor, statistic=args.stat, mode=args.mode)

    @staticmethod
    def _rules(job_name: str, wait: bool) -> None:
        evaluations = wait_for_rule_evaluations(job_name) if wait else rule_evaluations(job_name)
        if not evaluations:
            print(f"Job {job_name} has no debugger rules.")
        for r in evaluations:
            at = "" if r.triggered_step is None else f" at step {r.triggered_step}"
            print(f"{r.rule_configuration_name}: {r.rule_evaluation_status}{at}  {r.status_details}".rstrip())
