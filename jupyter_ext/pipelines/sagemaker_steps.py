"""Running a pipeline made elsewhere from SageMaker's definition JSON alone (the real
SDK's `Pipeline.definition()`): the local form of each of its steps.

Condition and Fail steps are run here as they are. A job step becomes a step of kind
`SageMaker<Type>` (SageMakerTraining, SageMakerProcessing, ...) whose arguments are the
step's own SageMaker Arguments (a CreateTrainingJob request, ...), expressions and all;
it runs where a step kind of that name is registered (the `jupyter_ext.pipeline_step_kinds`
entry points: turning a SageMaker request into our objects is a protocol layer's work),
and otherwise fails with an error that says so.
"""

from __future__ import annotations

from typing import Any

from ..errors import ValidationError
from .definition import DEFINITION_VERSION, LOCAL_VERSION, check_graph

__all__ = ["local_from_sagemaker", "SAGEMAKER_KIND_PREFIX"]

SAGEMAKER_KIND_PREFIX = "SageMaker"
_KEPT = ("Name", "Type", "DisplayName", "Description", "DependsOn", "CacheConfig", "RetryPolicies", "PropertyFiles")


def _visit(step: dict[str, Any], branch: dict[str, Any] | None, entries: list[dict[str, Any]]) -> None:
    if not isinstance(step, dict) or "Name" not in step or "Type" not in step:
        raise ValidationError(f"A step of the definition has no Name or Type: {str(step)[:200]}.")
    entry = {k: step[k] for k in _KEPT if k in step}
    if branch is not None:
        entry["Branch"] = branch
    arguments = step.get("Arguments", {})
    entries.append(entry)
    if step["Type"] == "Condition":
        if_steps, else_steps = arguments.get("IfSteps", []), arguments.get("ElseSteps", [])
        entry.update(Kind="Condition", Local={"Conditions": arguments.get("Conditions", []),
                                              "IfSteps": [s["Name"] for s in if_steps],
                                              "ElseSteps": [s["Name"] for s in else_steps]})
        for inner in if_steps:
            _visit(inner, {"Step": step["Name"], "Outcome": True}, entries)
        for inner in else_steps:
            _visit(inner, {"Step": step["Name"], "Outcome": False}, entries)
    elif step["Type"] == "Fail":
        entry.update(Kind="Fail", Local={"ErrorMessage": arguments.get("ErrorMessage", "")})
    else:
        entry.update(Kind=f"{SAGEMAKER_KIND_PREFIX}{step['Type']}", Local=arguments)


def local_from_sagemaker(definition: dict[str, Any], name: str) -> dict[str, Any]:
    """The local form of SageMaker's pipeline `definition` (checked as ours are)."""
    if definition.get("Version") != DEFINITION_VERSION:
        raise ValidationError(f"Pipeline definition version {definition.get('Version')!r}; this reads "
                              f"{DEFINITION_VERSION}.")
    entries: list[dict[str, Any]] = []
    for step in definition.get("Steps", []):
        _visit(step, None, entries)
    local = {"Version": LOCAL_VERSION, "PipelineName": name, "Parameters": list(definition.get("Parameters", [])),
             "Steps": entries}
    if "PipelineExperimentConfig" in definition:
        local["PipelineExperimentConfig"] = definition["PipelineExperimentConfig"]
    check_graph(local)
    return local
