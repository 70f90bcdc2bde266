"""The spine's promises seen from outside: an attached Estimator is whole, job extensions
report wherever a job is described, and every capability submits through one template."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from test_debugger_jobs import TRAIN, train_with_a_loss_rule
from jupyter_ext import Estimator, describe_job

ROOT = Path(__file__).resolve().parents[1] / "jupyter_ext"


def test_an_attached_estimator_fits_a_new_job_with_the_same_settings(script) -> None:
    first = Estimator(str(script("import sys; print('args', sys.argv[1:])\n")), hyperparameters={"lr": 0.5},
                      metric_definitions=[{"Name": "lr", "Regex": r"--lr', '([0-9.]+)"}], max_run=600)
    first.fit(logs=False)
    attached = Estimator.attach(first.latest_training_job.name)
    script("raise SystemExit('the notebook copy changed since')\n")  # the job's own copy is what reruns
    attached.fit(logs=False)
    again = describe_job(attached.latest_training_job.name)
    assert again.name != first.latest_training_job.name and again.status == "Completed"
    assert again.hyperparameters == {"lr": 0.5} and again.max_run == 600 and again.final_metrics == {"lr": 0.5}


def test_the_cli_describes_rule_statuses_in_a_process_that_never_imported_the_debugger(script) -> None:
    name = train_with_a_loss_rule(str(script(TRAIN)))
    shown = subprocess.run([sys.executable, "-m", "jupyter_ext.cli", "jobs", "describe", name],
                           capture_output=True, text=True, timeout=120, check=True).stdout
    statuses = json.loads(shown)["details"]["DebugRuleEvaluationStatuses"]
    assert [s["rule_evaluation_status"] for s in statuses] == ["IssuesFound"]


def test_every_capability_submits_jobs_through_one_template() -> None:
    creators = [path.relative_to(ROOT).as_posix() for path in ROOT.rglob("*.py")
                if "create_job(" in path.read_text() and path.parent.name != "jobs"]
    assert creators == []
