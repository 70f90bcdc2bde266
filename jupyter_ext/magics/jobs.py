"""The job magics: %%train, %process, %tune, %automl, %experiments, %leaderboard,
%monitor_job, and %jobs, %describe, %logs, %stop (the jobs verb table's list, describe,
logs, stop). Each
is a few lines over the Python API and raises on failure, so a papermill run fails on
the cell that failed."""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from ..commands.jobs import JOBS
from ..commands.text import parse_pairs
from ..display import ShowLeaderboard
from ..errors import ValidationError
from ..jobs import Job
from ..jobs.contract import decode_hyperparameter
from ..models import JobDescription
from ..processing import NotebookProcessor, ProcessingInput, ProcessingOutput, ScriptProcessor
from ..store import home
from ..training import Estimator
from ..tuning import (
    CategoricalParameter, ContinuousParameter, HyperparameterTuner, IntegerParameter, ParameterRange,
)
from .dispatch import run_magic, run_verb

__all__ = ["JobMagics", "parse_range"]


_SCALINGS = {"linear": "Linear", "log": "Logarithmic", "reverselog": "ReverseLogarithmic", "auto": "Auto"}


def parse_range(name: str, spec: str) -> ParameterRange:
    """`1e-4:1e-1:log` → ContinuousParameter, `2:20:int` → IntegerParameter, `a,b` → CategoricalParameter."""
    if ":" not in spec:
        return CategoricalParameter([decode_hyperparameter(v) for v in spec.split(",")])
    parts = spec.split(":")
    try:
        low, high = float(parts[0]), float(parts[1])
    except (ValueError, IndexError):
        raise ValidationError(f"--range {name}={spec}: use MIN:MAX[:int|log|linear|reverselog], or A,B,C.") from None
    options = [p.lower() for p in parts[2:]]
    unknown = [o for o in options if o != "int" and o not in _SCALINGS]
    if unknown:
        raise ValidationError(f"--range {name}={spec}: unknown word(s) {', '.join(unknown)}; "
                              f"use int and/or one of {', '.join(_SCALINGS)}.")
    scaling = next((_SCALINGS[o] for o in options if o in _SCALINGS), "Auto")
    if "int" in options:
        if low != int(low) or high != int(high):
            raise ValidationError(f"--range {name}={spec}: an int range needs whole-number bounds.")
        return IntegerParameter(int(low), int(high), scaling)
    return ContinuousParameter(low, high, scaling)


def _inputs(values: list[str]) -> dict[str, str]:
    return {"training": values[0]} if len(values) == 1 and "=" not in values[0] else parse_pairs(values, "--input")


def _wait_flags(function: Any) -> Any:
    function = argument("--no-wait", dest="wait", action="store_false",
                        help="return at once; the job goes on (see %%logs, %%stop)")(function)
    return argument("--wait", dest="wait", action="store_true", default=True,
                    help="block until the job ends (default)")(function)


def _train(args: argparse.Namespace, cell: str) -> None:
    metrics = [{"Name": k, "Regex": v} for k, v in parse_pairs(args.metric, "--metric").items()]
    # The cell's code is kept (by content), so an Estimator from --out can run it again.
    digest = hashlib.sha256(f"{args.source_dir}\0{cell}".encode()).hexdigest()[:16]
    folder = home() / "cells" / digest
    # Made anew each time, so a file deleted from --source-dir is gone from the next run too.
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{digest}-", dir=folder.parent))
    if args.source_dir:
        shutil.copytree(args.source_dir, fresh, dirs_exist_ok=True)
    (fresh / "train.py").write_text(cell)
    shutil.rmtree(folder, ignore_errors=True)
    shutil.move(fresh, folder)
    extra = {"max_run": args.max_run} if args.max_run else {}
    estimator = Estimator(
        "train.py", source_dir=str(folder), hyperparameters=parse_pairs(args.hp, "--hp", decode=True),
        metric_definitions=metrics, environment=parse_pairs(args.env, "--env"),
        output_path=args.output_path, base_job_name=args.base_name, **extra,
    )
    if args.out:
        args.shell.user_ns[args.out] = estimator
    estimator.fit(_inputs(args.input) or None, wait=args.wait, job_name=args.name)


def _process(args: argparse.Namespace) -> None:
    inputs = [ProcessingInput(*(p.split("=", 1))) for p in args.input]
    outputs = [ProcessingOutput(*(p.split("=", 1))) for p in args.output]
    extra = {"max_runtime_in_seconds": args.max_run} if args.max_run else {}
    if args.code.endswith(".ipynb"):
        NotebookProcessor(**extra).run(args.code, parse_pairs(args.parameter, "-p", decode=True),
                                       inputs, outputs, wait=args.wait, job_name=args.name)
    else:
        ScriptProcessor(command=args.command.split(), **extra).run(
            args.code, inputs, outputs, args.rest, wait=args.wait, job_name=args.name)


def _tune(args: argparse.Namespace) -> None:
    estimator = args.shell.user_ns.get(args.estimator)
    if not isinstance(estimator, Estimator):
        raise ValidationError(f"--estimator {args.estimator}: no Estimator by that name in the notebook.")
    tuner = HyperparameterTuner(
        estimator, args.objective, {k: parse_range(k, v) for k, v in parse_pairs(args.range, "--range").items()},
        strategy=args.strategy, objective_type="Minimize" if args.minimize else "Maximize",
        max_jobs=args.max_jobs, max_parallel_jobs=args.max_parallel_jobs, random_seed=args.seed,
        early_stopping_type="Auto" if args.early_stopping else "Off")
    if args.out:
        args.shell.user_ns[args.out] = tuner
    tuner.fit(_inputs(args.input) or None, wait=args.wait, job_name=args.name)


def _automl(args: argparse.Namespace) -> Any:
    from ..automl import AutoML

    data = args.shell.user_ns.get(args.data, args.data)
    automl = AutoML(args.target, problem_type=args.problem_type,
                    job_objective={"MetricName": args.objective} if args.objective else None,
                    max_candidates=args.max_candidates, total_job_runtime_in_seconds=args.budget,
                    mode=args.mode)
    if args.out:
        args.shell.user_ns[args.out] = automl
    automl.fit(data, wait=args.wait, job_name=args.name)
    return automl.leaderboard() if args.wait else None


def _experiments(args: argparse.Namespace) -> Any:
    import pandas

    from ..experiments import list_experiments

    rows = [e.to_dict() for e in list_experiments()]
    return pandas.DataFrame(rows, columns=["name", "description", "tags", "runs", "created_at"])


def _jobs_frame(jobs: list[JobDescription], args: argparse.Namespace) -> Any:
    """%jobs: a DataFrame of jobs (records with --json)."""
    import pandas

    rows = [j.to_dict() for j in jobs]
    if args.json:
        return rows
    columns = ["name", "job_type", "status", "secondary_status", "created_at", "ended_at", "failure_reason"]
    return pandas.DataFrame(rows, columns=columns)


def _monitor_job(args: argparse.Namespace) -> None:
    Job(args.name).watch(wait=args.wait, logs=True)


@magics_class
class JobMagics(Magics):
    """Magics to launch and watch jobs."""

    @magic_arguments()
    @argument("--name", help="the job name (unique); default: <base-name>-<timestamp>")
    @argument("--base-name", default="train", help="prefix of the generated job name")
    @argument("--hp", action="append", default=[], metavar="NAME=VALUE", help="a hyperparameter (repeatable)")
    @argument("--metric", action="append", default=[], metavar="NAME=REGEX",
              help="a metric: NAME=REGEX with one capture group (repeatable)")
    @argument("--input", action="append", default=[], metavar="CHANNEL=PATH",
              help="a data channel (repeatable); a lone PATH is the 'training' channel")
    @argument("--source-dir", help="a folder of code the cell can import (its requirements.txt is installed)")
    @argument("--env", action="append", default=[], metavar="NAME=VALUE", help="an environment variable")
    @argument("--max-run", type=int, default=None, help="stop the job after this many seconds")
    @argument("--output-path", help="where model.tar.gz goes (default: the jupyter_ext home)")
    @argument("--out", metavar="VAR", help="store the Estimator in this variable")
    @_wait_flags
    @cell_magic
    def train(self, line: str, cell: str) -> None:
        """Run the cell as a training script in a detached job (SageMaker's contract).

        The script gets hyperparameters as `--name value` arguments and SM_* variables,
        saves its model into SM_MODEL_DIR, and may call jupyter_ext.log_metric().
        Example: %%train --hp lr=0.01 --input train=data/ --metric "loss=loss: ([0-9.]+)"
        """
        return run_magic(self.train, line, lambda args: _train(args, cell), self.shell)

    @magic_arguments()
    @argument("code", help="a script (.py, .sh, ...) or a notebook (.ipynb, run with papermill)")
    @argument("--command", default="python3", help="the interpreter for a script (default python3)")
    @argument("--input", action="append", default=[], metavar="SOURCE[=DEST]",
              help="data for the job; DEST defaults to /opt/ml/processing/input/input-N")
    @argument("--output", action="append", default=[], metavar="SOURCE[=DEST]",
              help="a container path kept after the job, e.g. /opt/ml/processing/output=clean/")
    @argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
              help="a notebook parameter (repeatable)")
    @argument("--name", help="the job name (unique)")
    @argument("--max-run", type=int, default=None, help="stop the job after this many seconds")
    @_wait_flags
    @line_magic
    def process(self, line: str) -> None:
        """Run a script or notebook as a processing job; words after `--` go to the script.

        Example: %process prep.py --input raw/=/opt/ml/processing/input
                 --output /opt/ml/processing/output=clean/ -- --rows 100
        """
        return run_magic(self.process, line, _process, self.shell, rest=True)

    @magic_arguments()
    @argument("--estimator", required=True, metavar="VAR", help="the Estimator variable to tune")
    @argument("--objective", required=True, help="the objective metric's name")
    @argument("--minimize", action="store_true", help="minimize the objective (default: maximize)")
    @argument("--range", action="append", default=[], metavar="NAME=SPEC",
              help="lr=1e-4:1e-1:log (float; scaling linear|log|reverselog), epochs=2:20:int, opt=adam,sgd")
    @argument("--strategy", default="Bayesian", help="Bayesian, Random, Grid or Hyperband")
    @argument("--max-jobs", type=int, default=None, help="how many training jobs (Grid: the grid)")
    @argument("--max-parallel-jobs", type=int, default=1, help="how many run at once")
    @argument("--early-stopping", action="store_true", help="stop jobs worse than the median (Auto)")
    @argument("--input", action="append", default=[], metavar="CHANNEL=PATH", help="a data channel")
    @argument("--seed", type=int, default=None, help="random seed of the search")
    @argument("--name", help="the tuning job name")
    @argument("--out", metavar="VAR", help="store the HyperparameterTuner in this variable")
    @_wait_flags
    @line_magic
    def tune(self, line: str) -> None:
        """Tune an Estimator's hyperparameters with a tuning job.

        Example: %tune --estimator est --objective loss --minimize --range lr=1e-4:1e-1:log --max-jobs 30
        """
        return run_magic(self.tune, line, _tune, self.shell)

    @magic_arguments()
    @argument("data", help="a CSV or Parquet path, or the name of a DataFrame variable")
    @argument("--target", required=True, help="the column to predict")
    @argument("--problem-type", help="BinaryClassification, MulticlassClassification or Regression")
    @argument("--objective", help="the objective metric (with --problem-type), e.g. F1, Accuracy, MSE")
    @argument("--budget", type=int, default=None, help="total seconds for the whole job")
    @argument("--max-candidates", type=int, default=None, help="how many candidates to train")
    @argument("--mode", default="AUTO", help="AUTO (default), ENSEMBLING or HYPERPARAMETER_TUNING")
    @argument("--name", help="the AutoML job name")
    @argument("--out", metavar="VAR", help="store the AutoML object in this variable")
    @_wait_flags
    @line_magic
    def automl(self, line: str) -> Any:
        """Find a model for a table with an AutoML job; returns the leaderboard.

        Example: %automl data/churn.csv --target churn --budget 300
        """
        return run_magic(self.automl, line, _automl, self.shell)

    @magic_arguments()
    @line_magic
    def experiments(self, line: str) -> Any:
        """A table of experiments with their run counts, newest first."""
        return run_magic(self.experiments, line, _experiments, self.shell)

    @magic_arguments()
    @argument("experiment", help="the experiment's name")
    @argument("metric", help="the metric to rank by")
    @argument("--ascending", action="store_true", help="lowest first (for losses)")
    @argument("--stat", default="Last", help="Last (default), Min, Max, Avg, StdDev or Count")
    @line_magic
    def leaderboard(self, line: str) -> Any:
        """An experiment's runs ranked by a metric: a sortable widget with charts in
        JupyterLab, the table as text elsewhere."""
        return run_magic(self.leaderboard, line, lambda args: ShowLeaderboard(
            args.experiment, args.metric, args.ascending, args.stat), self.shell)

    @line_magic
    def jobs(self, line: str) -> Any:
        """A table of jobs, newest first: %jobs [--type T] [--status S] [--name-contains X] [--limit N]
        (the options of `jupyter-ext jobs list`)."""
        return run_verb(JOBS.verb("list"), "jobs", line, self.shell, _jobs_frame)

    @line_magic
    def logs(self, line: str) -> None:
        """Print a job's log: %logs NAME [--follow] [--tail N]."""
        return run_verb(JOBS.verb("logs"), "logs", line, self.shell)

    @line_magic
    def stop(self, line: str) -> None:
        """Stop a running job: %stop NAME [--grace SECONDS]."""
        return run_verb(JOBS.verb("stop"), "stop", line, self.shell)

    @magic_arguments()
    @argument("name", help="the job's name (any job: started here, in another kernel, or from the CLI)")
    @argument("--wait", action="store_true", help="block until the job ends (as text: its log meanwhile); fail the cell unless it Completed")
    @line_magic
    def monitor_job(self, line: str) -> None:
        """A live monitor of a job: status, metrics, log tail and Stop in JupyterLab; its
        log's tail and state as text elsewhere (papermill). Example: %monitor_job train-123
        """
        return run_magic(self.monitor_job, line, _monitor_job, self.shell)

    @line_magic
    def describe(self, line: str) -> dict[str, Any]:
        """Everything about a job, as a dict: %describe NAME."""
        return run_verb(JOBS.verb("describe"), "describe", line, self.shell)
