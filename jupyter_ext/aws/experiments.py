"""SageMaker's experiment and trial operations over jupyter_ext.experiments: an experiment
made here is one `Experiment(name)` sees, and every experiment and run group of our own
(a `Run`'s `Default-Run-Group-<experiment>`) answers here."""

from __future__ import annotations

from typing import Any

from ..experiments import Experiment, components, describe_experiment, list_experiments
from .experiment_shapes import already_exists, experiment_arn, experiment_document, list_page, trial_arn, trial_document
from .operations import Call
from .protocol import AwsError
from .tags import record_tags

__all__ = ["SERVICE", "OPERATIONS"]

SERVICE = "sagemaker"
_SUMMARY_KEYS = ("ExperimentArn", "ExperimentName", "DisplayName", "CreationTime", "LastModifiedTime")
_TRIAL_KEYS = ("TrialArn", "TrialName", "DisplayName", "CreationTime", "LastModifiedTime")


def create_experiment(call: Call) -> dict[str, Any]:
    """CreateExperiment: ValidationException "already exists" for a name in use."""
    params = call.params
    name = params["ExperimentName"]
    tags = params.get("Tags") or []
    with already_exists("Experiment", name):
        if name in {summary.name for summary in list_experiments()}:
            raise AwsError("ValidationException", f"Experiment '{name}' already exists.")
        experiment = Experiment.create(name, params.get("Description") or "",
                                       {tag["Key"]: tag.get("Value", "") for tag in tags})
    experiment.update(display_name=params.get("DisplayName"))
    record_tags(experiment_arn(call, name), tags)
    return {"ExperimentArn": experiment_arn(call, name)}


def describe_experiment_operation(call: Call) -> dict[str, Any]:
    """DescribeExperiment."""
    return experiment_document(call, call.params["ExperimentName"])


def list_experiments_operation(call: Call) -> dict[str, Any]:
    """ListExperiments, newest first unless SortBy/SortOrder say otherwise."""
    summaries = [{key: document[key] for key in _SUMMARY_KEYS}
                 for document in (experiment_document(call, summary) for summary in list_experiments())]
    return list_page(summaries, call.params, "ExperimentSummaries", "ExperimentName")


def update_experiment(call: Call) -> dict[str, Any]:
    """UpdateExperiment: its DisplayName and Description."""
    name = call.params["ExperimentName"]
    Experiment(name).update(call.params.get("DisplayName"), call.params.get("Description"))
    return {"ExperimentArn": experiment_arn(call, name)}


def delete_experiment(call: Call) -> dict[str, Any]:
    """DeleteExperiment, once its trials are deleted (as SageMaker asks)."""
    name = call.params["ExperimentName"]
    describe_experiment(name)
    trials = components.list_trials(experiment=name)
    if trials:
        raise AwsError("ValidationException", f"Experiment '{name}' still has {len(trials)} trial(s) "
                       f"({', '.join(t.name for t in trials[:5])}): delete them first (DeleteTrial), or delete "
                       "everything at once in Python with jupyter_ext.experiments.Experiment(name).delete().")
    Experiment(name).delete()
    return {"ExperimentArn": experiment_arn(call, name)}


def create_trial(call: Call) -> dict[str, Any]:
    """CreateTrial in an existing experiment."""
    params = call.params
    name = params["TrialName"]
    with already_exists("Trial", name):
        components.create_trial(name, params["ExperimentName"], params.get("DisplayName"))
    record_tags(trial_arn(call, name), params.get("Tags") or [])
    return {"TrialArn": trial_arn(call, name)}


def describe_trial(call: Call) -> dict[str, Any]:
    """DescribeTrial."""
    return trial_document(call, call.params["TrialName"])


def list_trials(call: Call) -> dict[str, Any]:
    """ListTrials (of ExperimentName, or holding TrialComponentName)."""
    found = components.list_trials(call.params.get("ExperimentName"), call.params.get("TrialComponentName"))
    summaries = [{key: document[key] for key in _TRIAL_KEYS}
                 for document in (trial_document(call, trial) for trial in found)]
    return list_page(summaries, call.params, "TrialSummaries", "TrialName")


def update_trial(call: Call) -> dict[str, Any]:
    """UpdateTrial: its DisplayName."""
    name = call.params["TrialName"]
    if call.params.get("DisplayName"):
        components.update_trial(name, call.params["DisplayName"])
    else:
        components.describe_trial(name)
    return {"TrialArn": trial_arn(call, name)}


def delete_trial(call: Call) -> dict[str, Any]:
    """DeleteTrial, once no trial component is in it."""
    components.delete_trial(call.params["TrialName"])
    return {"TrialArn": trial_arn(call, call.params["TrialName"])}


OPERATIONS = {
    "CreateExperiment": create_experiment, "DescribeExperiment": describe_experiment_operation,
    "ListExperiments": list_experiments_operation, "UpdateExperiment": update_experiment,
    "DeleteExperiment": delete_experiment, "CreateTrial": create_trial, "DescribeTrial": describe_trial,
    "ListTrials": list_trials, "UpdateTrial": update_trial, "DeleteTrial": delete_trial,
}
