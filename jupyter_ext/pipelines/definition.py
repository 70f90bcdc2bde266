"""A pipeline's two JSON forms: SageMaker's definition (what `Pipeline.definition()`
exports, Version 2020-12-01) and the local form an execution here runs, with the
dependency graph both imply."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..errors import ValidationError
from .expressions import Parameter, is_expr, to_expr
from .steps import Step

__all__ = ["DEFINITION_VERSION", "all_steps", "sagemaker_definition", "local_definition", "dependencies",
           "check_graph"]

DEFINITION_VERSION = "2020-12-01"
LOCAL_VERSION = "jupyter-ext-1"


def all_steps(steps: Sequence[Step]) -> list[Step]:
    """Every step, those inside ConditionSteps' branches included, each once."""
    found: list[Step] = []

    def visit(step: Step) -> None:
        if any(s is step for s in found):
            return
        found.append(step)
        for inner in step.nested_steps():
            visit(inner)

    for step in steps:
        visit(step)
    return found


def _experiment_config(config: Any) -> dict[str, Any] | None:
    if config is None:
        return None
    if isinstance(config, dict):
        return config
    return {"ExperimentName": config.experiment_name, "TrialName": config.trial_name}


def sagemaker_definition(name: str, parameters: Sequence[Parameter], steps: Sequence[Step],
                         experiment_config: Any) -> dict[str, Any]:
    """SageMaker's pipeline definition of the pipeline (steps inside branches nested there)."""
    nested = {s.name for step in all_steps(steps) for s in step.nested_steps()}
    definition: dict[str, Any] = {"Version": DEFINITION_VERSION, "Metadata": {},
                                  "Parameters": [p.to_request() for p in parameters]}
    experiment = _experiment_config(experiment_config)
    if experiment is not None:
        definition["PipelineExperimentConfig"] = to_expr(experiment)
    definition["Steps"] = [s.to_request() for s in steps if s.name not in nested]
    return definition


def local_definition(name: str, parameters: Sequence[Parameter], steps: Sequence[Step],
                     experiment_config: Any = None) -> dict[str, Any]:
    """What an execution runs: parameters, the experiment its jobs go in, and every step
    (flat), each with its Kind and Local arguments."""
    entries = []
    for step in all_steps(steps):
        entry = step.to_local()
        for other in all_steps(steps):
            if any(inner is step for inner in getattr(other, "if_steps", [])):
                entry["Branch"] = {"Step": other.name, "Outcome": True}
            if any(inner is step for inner in getattr(other, "else_steps", [])):
                entry["Branch"] = {"Step": other.name, "Outcome": False}
        entries.append(entry)
    definition = {"Version": LOCAL_VERSION, "PipelineName": name,
                  "Parameters": [p.to_request() for p in parameters], "Steps": entries}
    experiment = _experiment_config(experiment_config)
    if experiment is not None:
        definition["PipelineExperimentConfig"] = to_expr(experiment)
    check_graph(definition)
    return definition


def _referenced_steps(value: Any, found: set[str]) -> None:
    if is_expr(value):
        if "Get" in value and isinstance(value["Get"], str) and value["Get"].startswith("Steps."):
            found.add(value["Get"].split(".")[1].split("[")[0])
        if "Std:JsonGet" in value:
            found.add(value["Std:JsonGet"]["PropertyFile"]["Get"].split(".")[1])
    if isinstance(value, dict):
        for item in value.values():
            _referenced_steps(item, found)
    elif isinstance(value, list):
        for item in value:
            _referenced_steps(item, found)


def dependencies(entry: dict[str, Any]) -> set[str]:
    """The steps a local step entry waits for: DependsOn, the steps whose properties it
    uses, and the ConditionStep whose branch it is in."""
    found: set[str] = set(entry.get("DependsOn", []))
    _referenced_steps(entry.get("Local", {}), found)
    if entry.get("Kind") == "Condition":
        found -= set(entry["Local"]["IfSteps"]) | set(entry["Local"]["ElseSteps"])
    if "Branch" in entry:
        found.add(entry["Branch"]["Step"])
    return found


def _referenced_parameters(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        get = value.get("Get")
        if len(value) == 1 and isinstance(get, str) and get.startswith("Parameters."):
            found.add(get.split(".", 1)[1])
        for item in value.values():
            _referenced_parameters(item, found)
    elif isinstance(value, list):
        for item in value:
            _referenced_parameters(item, found)


def check_graph(definition: dict[str, Any]) -> None:
    """ValidationError for duplicate step names, references to unknown steps or
    parameters, and dependency cycles."""
    names = [s["Name"] for s in definition["Steps"]]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValidationError(f"Step names must be unique in a pipeline; repeated: {', '.join(duplicates)}.")
    graph = {s["Name"]: dependencies(s) for s in definition["Steps"]}
    for name, needs in graph.items():
        unknown = sorted(needs - set(names))
        if unknown:
            raise ValidationError(f"Step {name} uses step {', '.join(unknown)}, which is not in the pipeline's steps.")
    parameters: set[str] = set()
    _referenced_parameters([s["Local"] for s in definition["Steps"]], parameters)
    missing = sorted(parameters - {p["Name"] for p in definition["Parameters"]})
    if missing:
        raise ValidationError(f"The steps use parameter {', '.join(missing)}; add it to Pipeline(parameters=[...]).")
    done: set[str] = set()
    while len(done) < len(graph):
        ready = [n for n, needs in graph.items() if n not in done and needs <= done]
        if not ready:
            raise ValidationError("The steps' dependencies form a cycle: "
                                  f"{', '.join(sorted(set(graph) - done))}.")
        done.update(ready)


def dumps(definition: dict[str, Any]) -> str:
    """A definition as JSON text."""
    return json.dumps(definition, default=str)
