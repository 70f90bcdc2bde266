"""Automated labeling rounds, run by the labeling job's program.

A round is due when people have labeled `min_human_labels` items, and again each time they
labeled that many more since the last round, while items are left. It starts a training job
(train_labeler.py, through the spine like any job, so it shows in %jobs as the labeling
job's child) on the human labels, then gives each unlabeled item the model's label when its
confidence reaches the threshold chosen on held-out human labels; the rest stay with people.
Machine labels are marked human-annotated "no".
"""

from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path
from typing import Any

from ..jobs import Job
from ..jobs.metrics import log_metric
from ..serving.archives import unpack
from ..store import get_store
from ..training import Estimator
from . import records

__all__ = ["AutomatedLabeling", "TRAINING_SCRIPT"]

TRAINING_SCRIPT = Path(__file__).with_name("train_labeler.py")


class AutomatedLabeling:
    """The automated labeling of one labeling job (its `labeling.json` config)."""

    def __init__(self, config: dict[str, Any], folder: Path = Path("automation")) -> None:
        self.config, self.folder = config, folder
        self.name = config["job_name"]
        self.trained_at = 0  # human labels the last round learned from
        self.rounds = 0

    def _human_rows(self) -> list[Any]:
        return [r for r in records.item_rows(get_store(), self.name, final=True) if r["human"]]

    def due(self) -> bool:
        """Whether people labeled enough new items since the last round, with items left."""
        step = int(self.config["min_human_labels"])
        humans = len(self._human_rows())
        return humans >= step and humans >= self.trained_at + step and bool(
            records.item_rows(get_store(), self.name, final=False))

    def run_round_if_due(self, stop: threading.Event) -> int:
        """Run a round when one is due; how many items the machine labeled."""
        if not self.due() or not records.set_state(get_store(), self.name, "training", only_from=("human",)):
            return 0
        try:
            return self._round(stop)
        finally:
            records.set_state(get_store(), self.name, "human", only_from=("training", "machine-labeling"))

    def _write_channels(self, folder: Path) -> dict[str, str]:
        key = "source" if self.config["task_type"] == "TextClassification" else "source-ref"
        human = self._human_rows()
        (folder / "train").mkdir(parents=True, exist_ok=True)
        (folder / "unlabeled").mkdir(parents=True, exist_ok=True)
        (folder / "train" / "train.manifest").write_text("".join(
            json.dumps({key: json.loads(r["line"])[key], "label": json.loads(r["label"])["label"]}) + "\n"
            for r in human))
        (folder / "unlabeled" / "unlabeled.manifest").write_text("".join(
            json.dumps({"item": r["item"], key: json.loads(r["line"])[key]}) + "\n"
            for r in records.item_rows(get_store(), self.name, final=False)))
        self.trained_at = len(human)
        return {"train": str((folder / "train").resolve()), "unlabeled": str((folder / "unlabeled").resolve())}

    def _round(self, stop: threading.Event) -> int:
        self.rounds += 1
        folder = self.folder / f"round-{self.rounds}"
        channels = self._write_channels(folder)
        estimator = Estimator(str(TRAINING_SCRIPT), base_job_name=f"{self.name}-labeler"[:40],
                              output_path=str(folder.resolve() / "training"),
                              hyperparameters={"text": int(self.config["task_type"] == "TextClassification"),
                                               "target_accuracy": self.config["target_accuracy"]})
        job = estimator.start(channels, job_name=f"{self.name}-labeler-{self.rounds}"[-63:].lstrip("-"))
        print(f"Automated labeling round {self.rounds}: training job {job.name} learns from "
              f"{self.trained_at} human labels", flush=True)
        while job.status not in ("Completed", "Failed", "Stopped"):
            if stop.wait(0.5):
                job.stop()
                return 0
        description = job.describe()
        if description.status != "Completed":
            print(f"Automated labeling round {self.rounds}: {job.name} {description.status}: "
                  f"{description.failure_reason}; the items stay with people", flush=True)
            return 0
        records.set_state(get_store(), self.name, "machine-labeling", only_from=("training",))
        return self._label(job, str(description.model_data))

    def _label(self, job: Job, model_data: str) -> int:
        with tempfile.TemporaryDirectory() as scratch:
            model = unpack(model_data, Path(scratch) / "model")
            report = json.loads((model / "threshold.json").read_text())
            predictions = [json.loads(x) for x in (model / "predictions.jsonl").read_text().splitlines() if x]
        threshold = float(report["threshold"])
        labeled = 0
        with get_store().transaction() as db:
            for p in predictions:
                row = records.item_row(db, self.name, int(p["item"]))
                if row is not None and row["label"] is None and p["confidence"] >= threshold:
                    records.set_final(db, self.name, int(p["item"]), {"label": p["label"]}, p["confidence"], human=False)
                    labeled += 1
        log_metric("machine_labeled", labeled, step=self.rounds)
        log_metric("confidence_threshold", threshold, step=self.rounds)
        print(f"Automated labeling round {self.rounds}: threshold {threshold:.3f} (validation accuracy above it "
              f"{report['validation_accuracy_above_threshold']}, target {report['target_accuracy']}); the machine "
              f"labeled {labeled} of {len(predictions)} items, {len(predictions) - labeled} go to people", flush=True)
        return labeled
