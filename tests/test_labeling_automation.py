"""Automated labeling on synthetic shapes: after N human labels a training job (a child job,
in %jobs) labels most of the rest above a threshold chosen on held-out human labels."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import wait_until
from jupyter_ext.jobs import describe_job, list_jobs
from jupyter_ext.labeling import LabelingJob, labeling_progress, next_task, submit_answer
from jupyter_ext.serving.archives import unpack
from labeling_shapes import SHAPES, shape_manifest

ITEMS, HUMAN = 150, 45


def test_after_enough_human_labels_the_machine_labels_most_of_the_rest_at_the_target_accuracy(tmp_path: Path) -> None:
    manifest, truth = shape_manifest(tmp_path / "shapes", ITEMS, seed=1)
    job = LabelingJob(manifest, "ImageClassification", list(SHAPES), automated_labeling=True, min_human_labels=HUMAN,
                      output_path=str(tmp_path / "out")).start("shapes")
    for _ in range(HUMAN):
        task = next_task("shapes", "me")
        submit_answer("shapes", "me", task.item, {"label": truth[task.item]})
    wait_until(lambda: labeling_progress("shapes").machine > 0 and labeling_progress("shapes").state == "human",
               timeout=120, what="a round of automated labeling")
    progress = labeling_progress("shapes")
    assert progress.human == HUMAN and progress.machine >= 0.7 * (ITEMS - HUMAN)

    trainings = [j for j in list_jobs(type="Training") if j.name.startswith("shapes-labeler")]
    assert len(trainings) == 1 and trainings[0].status == "Completed"
    model = unpack(str(describe_job(trainings[0].name).model_data), tmp_path / "model")
    report = json.loads((model / "threshold.json").read_text())
    assert report["validation_accuracy_above_threshold"] >= 0.95 and report["validation_items"] >= 10

    while (task := next_task("shapes", "me")) is not None:  # people label what the machine left
        submit_answer("shapes", "me", task.item, {"label": truth[task.item]})
    job.wait()
    lines = [json.loads(x) for x in Path(job.output_manifest).read_text().splitlines()]
    machine = [(i, x) for i, x in enumerate(lines) if x["label-metadata"]["human-annotated"] == "no"]
    assert len(machine) == progress.machine
    right = sum(x["label-metadata"]["class-name"] == truth[i] for i, x in machine)
    assert right / len(machine) >= 0.95
    assert all(x["label-metadata"]["confidence"] >= report["threshold"] - 1e-4 for _, x in machine)


def test_text_items_are_labeled_by_machine_with_tf_idf(tmp_path: Path) -> None:
    import numpy

    rng = numpy.random.default_rng(0)
    words = {"positive": ["great", "lovely", "delicious", "friendly", "superb"],
             "negative": ["awful", "rude", "cold", "dirty", "slow"]}
    filler = ["the", "food", "was", "and", "staff", "service", "place", "really"]
    truth = [("positive", "negative")[i % 2] for i in range(80)]
    texts = [" ".join(rng.choice(filler, 4).tolist() + rng.choice(words[t], 2).tolist()) for t in truth]
    (tmp_path / "reviews.manifest").write_text("".join(json.dumps({"source": t}) + "\n" for t in texts))
    job = LabelingJob(tmp_path / "reviews.manifest", "TextClassification", ["positive", "negative"],
                      automated_labeling=True, min_human_labels=30, output_path=str(tmp_path / "out")).start("texts")
    for item in range(30):
        submit_answer("texts", "me", item, {"label": truth[item]})
    wait_until(lambda: labeling_progress("texts").machine > 0 and labeling_progress("texts").state == "human",
               timeout=120, what="a round of automated labeling of texts")
    job.stop()
    wait_until(lambda: job.status == "Stopped", what="the job to stop")
    lines = [json.loads(x) for x in Path(job.output_manifest).read_text().splitlines()]
    machine = [(i, x) for i, x in enumerate(lines) if x.get("label-metadata", {}).get("human-annotated") == "no"]
    assert len(machine) >= 35
    assert sum(x["label-metadata"]["class-name"] == truth[i] for i, x in machine) / len(machine) >= 0.95
