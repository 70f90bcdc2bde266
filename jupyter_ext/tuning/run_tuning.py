"""The tuning job's program: `python -m jupyter_ext.tuning.run_tuning tuning.json`.

It asks each definition's Search (an Optuna study under the strategy) for hyperparameters,
launches training jobs through the public API (each one a child of this job), reports their
objective values as they arrive, stops the ones the pruner gives up on, and tells the search
the results; a trial is pending in its search while its job runs. SIGTERM stops it and its
children.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConflictError
from ..jobs import Job, describe_job, log_metric, never_started, stop_job
from ..jobs.process import orphaned
from ..models import TERMINAL_STATUSES
from ..training import Estimator
from .parameters import range_from_dict
from .search import Search
from .strategies import grid_size
from .trials import TrialRecord, append_trial, launched_definitions, note_launch, read_trials, trial_from_job

__all__ = ["Tuning", "main"]

_POLL_SECONDS = 0.25
# Short jobs end within a second or two: look often at first, so the next trial starts soon.
_FAST_POLL_SECONDS, _FAST_POLL_WINDOW = 0.03, 3.0


@dataclass
class Definition:
    """One training job definition: its estimator, objective, ranges and search."""

    name: str
    estimator: dict[str, Any]
    objective: str
    ranges: dict[str, Any]
    search: Search
    inputs: dict[str, Any] | None = None


@dataclass
class Running:
    """A launched training job and its Optuna trial."""

    definition: Definition
    trial: Any
    hyperparameters: dict[str, Any]
    seen: int = 0
    early_stopped: bool = False
    best: float | None = None
    launched_at: float = field(default_factory=time.monotonic)


def _never_ran(job: str) -> bool:
    description = describe_job(job)
    return never_started(description.status, description.started_at)


class Tuning:
    """Runs one tuning job described by its tuning.json."""

    def __init__(self, config: dict[str, Any], folder: Path) -> None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.config, self.folder = config, folder
        self.maximize = config["objective_type"] == "Maximize"
        self.definitions = []
        for index, item in enumerate(config["definitions"]):
            ranges = {k: range_from_dict(v) for k, v in item["ranges"].items()}
            seed = None if config["random_seed"] is None else config["random_seed"] + index
            search = Search(config["strategy"], ranges, seed, config["strategy_config"],
                            item["estimator"]["hyperparameters"], self.maximize,
                            early_stopping=config["early_stopping_type"] == "Auto")
            self.definitions.append(Definition(item["name"], item["estimator"], item["objective_metric_name"],
                                               ranges, search, item.get("inputs")))
        self.running: dict[str, Running] = {}
        self.adopting: list[str] = []
        self.adopted_trials: dict[str, Any] = {}  # adopted job: its pending trial in the search
        self.adopted_definitions: dict[str, str] = {}
        self.finished: list[TrialRecord] = []
        self.launched = 0
        self.stopping = False
        self.reason = ""

    # -- the loop -----------------------------------------------------------------
    def run(self) -> int:
        """Tune until max_jobs, a completion criterion, or SIGTERM; the exit status."""
        signal.signal(signal.SIGTERM, lambda *_: self._stop("stop requested"))
        try:
            self._seed()
            while True:
                while self._may_launch():
                    self._launch()
                self._poll()
                if not self.running and not self.adopting and not self._may_launch():
                    break
                if self._may_launch():
                    continue  # a slot came free: start the next trial now
                young = any(time.monotonic() - r.launched_at < _FAST_POLL_WINDOW for r in self.running.values())
                time.sleep(_FAST_POLL_SECONDS if young else _POLL_SECONDS)
        except Exception as error:  # leave no training job running behind a failed tuning job
            if orphaned():  # the runner died (its pipe broke): resume() adopts the trials
                return 1
            for name in [*self.running, *self.adopting]:
                self._stop_child(name)
            return self._fail(f"The tuning job failed: {type(error).__name__}: {error}")
        return self._summary()

    def _may_launch(self) -> bool:
        return (not self.stopping and self.launched < self.config["max_jobs"]
                and len(self.running) + len(self.adopting) < self.config["max_parallel_jobs"])

    def _stop(self, reason: str) -> None:
        if not self.stopping:
            self.stopping, self.reason = True, reason
            print(f"Stopping the tuning job: {reason}", flush=True)

    # -- seeding: warm start parents and a resumed job's trials -----------------------
    def _seed(self) -> None:
        seeded = 0
        for parent in self.config["warm_start_parents"]:
            for record in read_trials(parent):
                seeded += self._add_known(record, count=False)
        if self.config["warm_start_parents"]:
            print(f"Warm start: {seeded} trials from {', '.join(self.config['warm_start_parents'])}", flush=True)
        previous = self.config.get("resume_from")
        if previous:
            for record in read_trials(previous):
                if not _never_ran(record.job):  # its launcher died first: run it again
                    self._add_known(record, count=True)
            done = {r.job for r in self.finished}
            self.adopting = [c for c in describe_job(previous).children if c not in done and not _never_ran(c)]
            self.adopted_definitions = launched_definitions(previous)
            self.launched += len(self.adopting)
            for name in self.adopting:  # still running: pending, so new suggestions know of them
                search = self._definition(self.adopted_definitions.get(name, "")).search
                trial = search.add_pending(describe_job(name).hyperparameters)
                if trial is not None:
                    self.adopted_trials[name] = trial
            print(f"Resumed {previous}: {len(self.finished)} finished trials kept, {len(self.adopting)} still "
                  f"running adopted ({len(self.adopted_trials)} pending in the search)", flush=True)

    def _definition(self, name: str) -> Definition:
        return next((d for d in self.definitions if d.name == name), self.definitions[0])

    def _add_known(self, record: TrialRecord, count: bool, pending: Any = None) -> bool:
        """Tell the search an earlier trial's result, ending its `pending` trial if it has
        one (True if the result fits the ranges)."""
        search = self._definition(record.definition).search
        intermediate = {int(k): v for k, v in record.intermediate.items()}
        if pending is None:
            usable = search.add_finished(record.hyperparameters, record.value, intermediate)
        else:
            for step, value in sorted(intermediate.items()):
                pending.report(value, step)
            search.tell(pending, record.value)
            usable = record.value is not None
        if count:
            self.finished.append(record)
            self.launched += 1
            append_trial(self.folder, record)
        return usable

    # -- launching and following training jobs -----------------------------------------
    def _next_definition(self) -> Definition:
        """Round robin; for Grid, each definition up to its own grid's size."""
        if self.config["strategy"] != "Grid":
            return self.definitions[self.launched % len(self.definitions)]
        return min(self.definitions, key=lambda d: (d.search.size() >= grid_size(d.ranges), d.search.size()))

    def _launch(self) -> None:
        definition = self._next_definition()
        trial, tuned = definition.search.ask()
        estimator = Estimator.from_config(definition.estimator)
        estimator.set_hyperparameters(**tuned)
        self.launched += 1
        name = f"{self.config['name']}-{self.launched:03d}"
        note_launch(self.folder, name, definition.name)
        inputs = self.config["inputs"] if definition.inputs is None else definition.inputs
        estimator.fit(inputs or None, wait=False, logs=False, job_name=name)
        print(f"Trial {self.launched}/{self.config['max_jobs']}: {name} {json.dumps(tuned)}", flush=True)
        self.running[name] = Running(definition, trial, tuned)

    def _poll(self) -> None:
        for name in list(self.adopting):
            self._poll_adopted(name)
        for name, run in list(self.running.items()):
            # Read the status first: an ended job's metrics are all stored before it ends.
            description = describe_job(name)
            if self.stopping and description.status in ("Pending", "InProgress"):
                self._stop_child(name)
            self._report(name, run)
            if description.status in TERMINAL_STATUSES:
                self._finish(name, run, description.status, description.final_metrics.get(run.definition.objective))

    def _poll_adopted(self, name: str) -> None:
        if self.stopping:
            self._stop_child(name)
        definition = self._definition(self.adopted_definitions.get(name, ""))
        record = trial_from_job(name, definition.name, definition.objective, list(definition.ranges))
        if record is not None:
            self.adopting.remove(name)
            self.launched -= 1  # _add_known counts it
            self._add_known(record, count=True, pending=self.adopted_trials.pop(name, None))
            self._after_trial()

    def _report(self, name: str, run: Running) -> None:
        points = Job(name).metric_points(run.definition.objective)[run.seen:]
        run.seen += len(points)
        for point in points:
            if run.best is None or (point.value > run.best if self.maximize else point.value < run.best):
                run.best = point.value
            run.trial.report(point.value, point.step)
        if points and not run.early_stopped and not self.stopping and run.trial.should_prune():
            run.early_stopped = True
            print(f"Early stopping {name} at step {points[-1].step} ({points[-1].value:g})", flush=True)
            self._stop_child(name)

    @staticmethod
    def _stop_child(name: str) -> None:
        try:
            stop_job(name, grace_seconds=10)
        except ConflictError:
            pass  # it ended meanwhile

    def _finish(self, name: str, run: Running, status: str, final: float | None) -> None:
        del self.running[name]
        value = run.best if run.early_stopped else (final if status == "Completed" else None)
        run.definition.search.tell(run.trial, value, pruned=run.early_stopped)
        if value is None and status == "Completed" and not run.early_stopped:
            print(f"{name} never reported the objective metric '{run.definition.objective}'", flush=True)
        points = Job(name).metric_points(run.definition.objective)
        record = TrialRecord(name, run.definition.name, run.hyperparameters, value, status, run.early_stopped,
                             {str(p.step): p.value for p in points})
        self.finished.append(record)
        append_trial(self.folder, record)
        print(f"{name}: {status}{' (stopped early)' if run.early_stopped else ''}, objective {value}", flush=True)
        self._after_trial()

    # -- progress and completion criteria ----------------------------------------------
    def _best(self) -> TrialRecord | None:
        scored = [r for r in self.finished if r.value is not None]
        if not scored:
            return None
        return (max if self.maximize else min)(scored, key=lambda r: r.value)

    def _after_trial(self) -> None:
        best = self._best()
        if best is None:
            return
        log_metric("best_objective", best.value, step=len(self.finished))
        if self.finished[-1].value is not None:
            log_metric("objective", self.finished[-1].value, step=len(self.finished))
        criteria = self.config["completion_criteria"]
        target = criteria.get("target_objective_metric_value")
        if target is not None and (best.value >= target if self.maximize else best.value <= target):
            self._stop(f"target objective value {target} reached by {best.job}")
        patience = criteria.get("max_number_of_training_jobs_not_improving")
        if patience and len(self.finished) - 1 - self.finished.index(best) >= patience:
            self._stop(f"no improvement in the last {patience} training jobs")

    def _summary(self) -> int:
        best = self._best()
        if best is not None:
            print(f"Best training job: {best.job} objective {best.value} {json.dumps(best.hyperparameters)}", flush=True)
            return 143 if self.reason == "stop requested" else 0
        return self._fail(f"None of the {len(self.finished)} training jobs reported the objective metric "
                          f"'{self.definitions[0].objective}'; see their failure reasons.")

    def _fail(self, reason: str) -> int:
        failure = self.folder / "output" / "failure"
        failure.parent.mkdir(parents=True, exist_ok=True)
        failure.write_text(reason)
        print(reason, flush=True)
        return 1


def main(argv: list[str] | None = None) -> None:
    """Entry point of the tuning program."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]).resolve()
    sys.exit(Tuning(json.loads(path.read_text()), path.parent).run())


if __name__ == "__main__":
    main()
