"""The pipelines verbs: `jupyter-ext pipelines ...` and `%pipeline ...`.

    list [--json]                              stored pipelines and their latest execution
    start NAME [-p KEY=VALUE ...] [--wait]     start an execution (--wait: until it ends, failing unless it Succeeded;
                                               the magic waits unless --no-wait)
    executions [NAME] [--json]                 executions, newest first
    describe EXECUTION [--json]                an execution and its steps
    stop EXECUTION                             stop an execution and its running steps' jobs
    retry EXECUTION [--wait]                   run a Failed or Stopped execution's unfinished steps again
"""

from __future__ import annotations

import argparse
from typing import Any

from ..pipelines import PipelineExecution, list_pipeline_executions, list_pipelines, start_pipeline_execution
from . import Verb, VerbTable, arg
from .text import parse_pairs, text_table

__all__ = ["PIPELINES", "steps_table"]


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else ""


def steps_table(steps: list[dict[str, Any]]) -> str:
    """An execution's steps as a text table: status, job, cache hit, failure."""
    rows = [("STEP", "STATUS", "JOB", "STARTED", "NOTE")]
    for step in reversed(steps):
        job = next((v.get("Name", "") for v in step["Metadata"].values() if isinstance(v, dict) and "Name" in v), "")
        note = step.get("FailureReason", "")
        if "CacheHitResult" in step:
            note = "reused from execution " + step["CacheHitResult"]["SourcePipelineExecutionArn"].rsplit("/", 1)[-1]
        rows.append((step["StepName"], step["StepStatus"], job, _when(step["StartTime"]), note[:70]))
    return text_table(rows)


def _list(args: argparse.Namespace) -> Any:
    pipelines = list_pipelines()
    if args.json:
        return pipelines
    if not pipelines:
        return "No pipelines; store one with pipeline.upsert()."
    latest = {}
    for execution in reversed(list_pipeline_executions()):
        latest[execution["PipelineName"]] = execution
    rows = [("PIPELINE", "LAST MODIFIED", "LATEST EXECUTION", "STATUS")]
    for p in pipelines:
        last = latest.get(p["PipelineName"], {})
        rows.append((p["PipelineName"], _when(p["LastModifiedTime"]),
                     last.get("PipelineExecutionArn", "").rsplit("/", 1)[-1], last.get("PipelineExecutionStatus", "")))
    return text_table(rows)


def _follow(execution: PipelineExecution, wait: bool) -> str:
    if not wait:
        return f"Started execution {execution.execution_id} (job {execution.job_name})"
    try:
        execution.wait()
    finally:
        print(steps_table(execution.list_steps()))
    return f"Execution {execution.execution_id} Succeeded"


def _start(args: argparse.Namespace) -> str:
    execution = start_pipeline_execution(args.name, parse_pairs(args.parameter, "-p"))
    return _follow(execution, args.wait)


def _executions(args: argparse.Namespace) -> Any:
    executions = list_pipeline_executions(args.name)
    if args.json:
        return executions
    rows = [("EXECUTION", "PIPELINE", "STATUS", "STARTED", "FAILURE")]
    rows += [(e["PipelineExecutionArn"].rsplit("/", 1)[-1], e["PipelineName"], e["PipelineExecutionStatus"],
              _when(e["StartTime"]), (e.get("PipelineExecutionFailureReason") or "")[:60]) for e in executions]
    return text_table(rows) if executions else "No executions."


def _describe(args: argparse.Namespace) -> Any:
    execution = PipelineExecution(args.execution)
    description, steps = execution.describe(), execution.list_steps()
    if args.json:
        return {**description, "Steps": steps}
    lines = [f"Execution {execution.execution_id} of {description['PipelineArn'].rsplit('/', 1)[-1]}: "
             f"{description['PipelineExecutionStatus']}"]
    if description.get("FailureReason"):
        lines.append(f"Failure: {description['FailureReason']}")
    return "\n".join([*lines, steps_table(steps)])


def _stop(args: argparse.Namespace) -> str:
    PipelineExecution(args.execution).stop()
    return f"Stopping execution {args.execution}"


def _retry(args: argparse.Namespace) -> str:
    return _follow(PipelineExecution(args.execution).retry(), args.wait)


PIPELINES = VerbTable("pipeline", "ML pipelines: list, start, describe, stop and retry executions", (
    Verb("list", "stored pipelines and their latest execution", _list, (
        arg("--json", action="store_true", help="PipelineSummaries as JSON"),
    )),
    Verb("start", "start an execution of a stored pipeline", _start, (
        arg("name", help="pipeline name"),
        arg("-p", "--parameter", action="append", default=[], metavar="KEY=VALUE", help="a parameter (repeatable)"),
        arg("--wait", action=argparse.BooleanOptionalAction, default=False,
            help="until it ends, failing unless it Succeeded (the magic waits unless --no-wait)"),
    ), magic_defaults={"wait": True}),
    Verb("executions", "executions, newest first", _executions, (
        arg("name", nargs="?", default=None, help="only this pipeline's"),
        arg("--json", action="store_true", help="PipelineExecutionSummaries as JSON"),
    )),
    Verb("describe", "an execution and its steps", _describe, (
        arg("execution", help="execution id or ARN"),
        arg("--json", action="store_true", help="DescribePipelineExecution with its Steps"),
    )),
    Verb("stop", "stop an execution and its running steps' jobs", _stop, (arg("execution", help="execution id or ARN"),)),
    Verb("retry", "run a Failed or Stopped execution's unfinished steps again", _retry, (
        arg("execution", help="execution id or ARN"),
        arg("--wait", action=argparse.BooleanOptionalAction, default=False,
            help="until it ends, failing unless it Succeeded (the magic waits unless --no-wait)"),
    ), magic_defaults={"wait": True}),
), default_verb="list")
