"""The pipeline job's program: `python -m jupyter_ext.pipelines.run_pipeline execution.json`.

It runs the execution's steps in dependency order, each in its own thread as soon as the
steps it needs have Succeeded (so independent steps run in parallel); a job step's job is
a child of this one, launched through the public API. ConditionSteps choose a branch,
a FailStep fails the execution with its message, retry policies rerun failed jobs, and a
step with caching on reuses an earlier execution's run of it whose arguments are the
same. After a failure no new step starts. SIGTERM stops the running steps' jobs.
A retry (the same execution run again) keeps the steps that Succeeded before.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..experiments.tracking import check_experiment_config
from ..store import get_store
from . import records
from .conditions import evaluate_condition
from .definition import dependencies
from .execution import execution_arn, pipeline_arn
from .expressions import Resolver
from .job_runs import JobRun
from .property_files import read_json
from .step_runners import model_properties, register_properties

__all__ = ["PipelineRun", "main"]

_TICK = 0.1


class PipelineRun:
    """One run of an execution, from its execution.json."""

    def __init__(self, config: dict[str, Any], folder: Path) -> None:
        self.folder, self.execution_id = folder, config["execution_id"]
        self.pipeline = config["pipeline_name"]
        self.steps = {s["Name"]: s for s in config["definition"]["Steps"]}
        self.needs = {name: dependencies(step) for name, step in self.steps.items()}
        self.store = get_store()
        self.properties: dict[str, Any] = {}
        self.status: dict[str, str] = {}
        self.failures: list[str] = []
        self.stopping = threading.Event()
        self.changed = threading.Condition()
        self.started_at = time.time()
        self.resolve = Resolver(config["parameters"], {
            "PipelineName": self.pipeline, "PipelineExecutionId": self.execution_id,
            "PipelineExecutionArn": execution_arn(self.pipeline, self.execution_id),
            "PipelineArn": pipeline_arn(self.pipeline),
            "StartDateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "CurrentDateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            self._step_properties, self._property_file)
        self._property_files: dict[tuple[str, str], Any] = {}
        self.experiment = self._experiment(config["definition"].get("PipelineExperimentConfig"))

    def _experiment(self, config: dict[str, Any] | None) -> dict[str, str] | None:
        """The experiment_config of the steps' jobs (None if the definition has none, or
        names that are not valid experiment names)."""
        if not config:
            return None
        resolved = {k: str(v) for k, v in self.resolve(config).items()}
        try:
            return check_experiment_config(resolved)
        except ValidationError as error:
            print(f"The steps' jobs are tracked outside an experiment: {error}", flush=True)
            return None

    # -- the loop ---------------------------------------------------------------
    def run(self) -> int:
        """Run the steps; the exit status (0 Succeeded, 1 Failed, 143 Stopped)."""
        signal.signal(signal.SIGTERM, lambda *_: self._stop())
        self._keep_succeeded()
        threads: list[threading.Thread] = []
        while True:
            with self.changed:
                ready = [] if self.failures or self.stopping.is_set() else self._ready()
                for name in ready:
                    self.status[name] = "Executing"
                running = [n for n, s in self.status.items() if s == "Executing"]
                if not ready and not running:
                    break
                if not ready:
                    self.changed.wait(_TICK)
            for name in ready:
                thread = threading.Thread(target=self._run_step, args=(name,), name=name, daemon=True)
                thread.start()
                threads.append(thread)
        for thread in threads:
            thread.join()
        return self._finish()

    def _ready(self) -> list[str]:
        ready = []
        for name, step in self.steps.items():
            if name in self.status or any(self.status.get(n) != "Succeeded" for n in self.needs[name]):
                continue
            branch = step.get("Branch")
            if branch and self.properties[branch["Step"]]["Outcome"] != branch["Outcome"]:
                continue  # the branch not taken: its steps do not run
            ready.append(name)
        return ready

    def _keep_succeeded(self) -> None:
        """A retry keeps what Succeeded before (and forgets nothing else)."""
        for row in records.step_rows(self.store, self.execution_id):
            if row["status"] == "Succeeded" and row["step_name"] in self.steps:
                self.status[row["step_name"]] = "Succeeded"
                self.properties[row["step_name"]] = json.loads(row["outputs"] or "{}")
                print(f"Step {row['step_name']}: Succeeded in an earlier run of this execution; kept", flush=True)

    def _stop(self) -> None:
        if not self.stopping.is_set():
            print("Stopping the pipeline execution: stop requested", flush=True)
            self.stopping.set()

    def _finish(self) -> int:
        if self.failures:
            reason = "; ".join(self.failures)
            failure = self.folder / "output" / "failure"
            failure.parent.mkdir(parents=True, exist_ok=True)
            failure.write_text(reason[:1000])
            print(f"Pipeline execution failed: {reason}", flush=True)
            return 1
        if self.stopping.is_set():
            return 143
        print("Pipeline execution succeeded", flush=True)
        return 0

    # -- one step ---------------------------------------------------------------------
    def _run_step(self, name: str) -> None:
        step = self.steps[name]
        try:
            records.save_step(self.store, self.execution_id, name, step_type=step["Type"], status="Executing",
                              started_at=time.time(), ended_at=None, failure_reason=None, job_name=None,
                              cache_hit_execution=None, attempts=1)
            status, properties, reason = self._work(name, step)
        except Exception as error:  # a step that cannot run fails its execution, it does not kill it
            status, properties, reason = "Failed", {}, f"{type(error).__name__}: {error}"
        self._end_step(name, status, properties, reason)

    def _work(self, name: str, step: dict[str, Any]) -> tuple[str, dict[str, Any], str | None]:
        kind = step["Kind"]
        if kind == "Condition":
            outcome = all(evaluate_condition(c, self.resolve) for c in step["Local"]["Conditions"])
            print(f"Step {name}: condition is {str(outcome).lower()}", flush=True)
            return "Succeeded", {"Outcome": outcome}, None
        if kind == "Fail":
            message = str(self.resolve(step["Local"]["ErrorMessage"]))
            return "Failed", {"ErrorMessage": message}, message
        args = self.resolve(step["Local"])
        if kind == "Model":
            return "Succeeded", model_properties(args, name), None
        if kind == "RegisterModel":
            return "Succeeded", register_properties(args, self._source_job(step)), None
        return JobRun(self, name, step, args).run()

    def _end_step(self, name: str, status: str, properties: dict[str, Any], reason: str | None) -> None:
        try:
            records.save_step(self.store, self.execution_id, name, status=status, ended_at=time.time(),
                              failure_reason=reason, outputs=properties)
        except Exception as error:  # the loop must still learn the step ended, or it waits for ever
            status, reason = "Failed", f"its end could not be recorded: {type(error).__name__}: {error}"
        print(f"Step {name}: {status}" + (f" ({reason})" if reason else ""), flush=True)
        with self.changed:
            self.status[name] = status
            if status == "Succeeded":
                self.properties[name] = properties
            elif status == "Failed":
                self.failures.append(f"Step {name} failed: {reason}" if step_kind(self.steps[name]) != "Fail"
                                     else str(reason))
            self.changed.notify_all()

    def _source_job(self, step: dict[str, Any]) -> str | None:
        """The training job whose model a RegisterModel step registers, when its model_data
        is a training step's property."""
        data = step["Local"]["model"]["model_data"]
        if isinstance(data, dict) and str(data.get("Get", "")).startswith("Steps."):
            source = self.properties.get(data["Get"].split(".")[1], {})
            return source.get("TrainingJobName")
        return None

    # -- what expressions read ----------------------------------------------------------------
    def _step_properties(self, name: str) -> Any:
        if name not in self.properties:
            raise ValidationError(f"Step {name} has not succeeded, so its properties are not known yet.")
        return self.properties[name]

    def _property_file(self, step_name: str, file_name: str) -> Any:
        key = (step_name, file_name)
        if key not in self._property_files:
            files = {f["PropertyFileName"]: f for f in self.steps[step_name].get("PropertyFiles", [])}
            if file_name not in files:
                raise ValidationError(f"Step {step_name} has no property file {file_name}.")
            entry = files[file_name]
            outputs = self._step_properties(step_name).get("ProcessingOutputConfig", {}).get("Outputs", [])
            uri = next((o["S3Output"]["S3Uri"] for o in outputs if o["OutputName"] == entry["OutputName"]), None)
            if uri is None:
                raise ValidationError(f"Step {step_name} has no output {entry['OutputName']} for {file_name}.")
            self._property_files[key] = read_json(uri, entry["FilePath"], f"property file {file_name} of {step_name}")
        return self._property_files[key]


def step_kind(step: dict[str, Any]) -> str:
    """What runs a local step entry."""
    return str(step["Kind"])


def main(argv: list[str] | None = None) -> None:
    """Entry point of the pipeline program."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]).resolve()
    sys.exit(PipelineRun(json.loads(path.read_text()), path.parent).run())


if __name__ == "__main__":
    main()
