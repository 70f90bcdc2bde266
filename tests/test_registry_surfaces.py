"""`jupyter-ext models ...` as a separate process over the same store, and `%model`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_ext.registry import ModelPackage, register_model
from jupyter_ext.serving import Model
from serving_models import sklearn_model

CLI = [shutil.which("jupyter-ext") or f"{sys.prefix}/bin/jupyter-ext"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "models", *args], capture_output=True, text=True, timeout=60)


def test_cli_lists_approves_rejects_and_describes(tmp_path: Path) -> None:
    archive, _ = sklearn_model(tmp_path / "sk")
    first = register_model(Model(str(archive)), "cli-models", source_job="some-training-job")
    register_model(Model(str(archive)), "cli-models")
    assert "cli-models  2         2" in _cli("list-groups").stdout
    approved = _cli("approve", first.arn, "--description", "AUC 0.91")
    assert approved.returncode == 0 and approved.stdout.strip() == f"{first.arn}: Approved"
    assert _cli("reject", "cli-models/2").returncode == 0
    listing = _cli("list", "cli-models").stdout.splitlines()
    assert listing[0].split() == ["GROUP", "VERSION", "APPROVAL", "CREATED", "TRAINING", "JOB", "ARN"]
    assert listing[1].split()[:3] == ["cli-models", "2", "Rejected"] and "some-training-job" in listing[2]
    records = json.loads(_cli("list", "--status", "Approved", "--json").stdout)
    assert [(r["version"], r["approval_description"]) for r in records] == [(1, "AUC 0.91")]
    assert json.loads(_cli("describe", "cli-models/1").stdout)["source_job"] == "some-training-job"
    bad = _cli("approve", "cli-models/5")
    assert bad.returncode == 1 and "cli-models has no version 5; it has: 1, 2" in bad.stderr
    assert "use one of: PendingManualApproval" in _cli("list", "--status", "approved").stderr


def test_model_magic(ip, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive, _ = sklearn_model(tmp_path / "sk")
    package = register_model(Model(str(archive)), "magic-models")
    ip.run_line_magic("model", "approve magic-models/1 --description 'looks good'")
    assert ModelPackage(package.arn).approval_status == "Approved"
    ip.run_line_magic("model", "list magic-models")
    assert "magic-models  1        Approved" in capsys.readouterr().out
    with pytest.raises(Exception, match="group 'ghost' not found"):
        ip.run_line_magic("model", "list ghost")
