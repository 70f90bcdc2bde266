"""Debugger hook and trial: saved steps follow the SaveConfig, values read back equal the
tensors at those steps, smdebug's byte format, the job config, and bad input."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from jupyter_ext.debugger import (
    CollectionConfig, DebuggerHookConfig, Hook, ReductionConfig, Rule, SaveConfig, SaveConfigMode,
    StepState, TensorBoardOutputConfig, TensorUnavailableForStep, create_trial, modes,
)
from jupyter_ext.debugger.event_files import masked_crc32c
from jupyter_ext.debugger.tensorboard import read_scalars
from jupyter_ext.errors import ValidationError

torch.set_num_threads(1)


def _model() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.ReLU(), torch.nn.Linear(6, 2))


def _train(hook: Hook, model: torch.nn.Module, steps: int, record: dict | None = None,
           mode: modes = modes.TRAIN) -> None:
    """`steps` SGD steps; `record[step]` keeps the first weight before the step and its gradient."""
    loss_fn = torch.nn.CrossEntropyLoss()
    hook.register_loss(loss_fn)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    hook.set_mode(mode)
    generator = torch.Generator().manual_seed(1)
    for step in range(steps):
        x = torch.randn(8, 4, generator=generator)
        y = (x[:, 0] > 0).long()
        optimizer.zero_grad()
        before = model[0].weight.detach().clone()
        loss = loss_fn(model(x), y)
        loss.backward()
        if record is not None:
            record[step] = (before.numpy(), model[0].weight.grad.detach().clone().numpy(), loss.item())
        optimizer.step()


def test_saved_steps_follow_the_save_config(tmp_path: Path) -> None:
    config = SaveConfig(save_interval=3, start_step=2, end_step=12, save_steps=[1],
                        mode_save_configs={modes.EVAL: SaveConfigMode(save_interval=2)})
    hook = Hook(tmp_path / "run", save_config=config, include_collections=["weights", "losses"])
    model = _model()
    hook.register_module(model)
    _train(hook, model, 15)
    hook.set_mode(modes.EVAL)
    with torch.no_grad():
        for _ in range(5):
            model(torch.randn(2, 4))
    hook.close()
    trial = create_trial(tmp_path / "run")
    assert trial.steps(mode=modes.TRAIN) == [1, 3, 6, 9]
    assert trial.steps(mode=modes.EVAL) == [0, 2, 4]
    assert trial.steps() == [1, 3, 6, 9, 15, 17, 19]  # global steps count every mode
    assert trial.mode(17) == modes.EVAL and trial.mode_step(17) == 2
    assert trial.tensor_names(mode=modes.EVAL) == ["Sequential_0.weight", "Sequential_2.weight"]  # no loss in EVAL
    assert "CrossEntropyLoss_output_0" in trial.tensor_names(mode=modes.TRAIN)
    assert trial.tensor("Sequential_0.weight").steps(mode=modes.TRAIN) == [1, 3, 6, 9]
    assert trial.loaded_all_steps


def test_values_read_back_equal_the_tensors_at_those_steps(tmp_path: Path) -> None:
    hook = Hook(tmp_path / "run", save_config=SaveConfig(save_interval=2),
                include_collections=["weights", "gradients", "losses"])
    model, record = _model(), {}
    hook.register_module(model)
    _train(hook, model, 6, record)
    hook.close()
    trial = create_trial(tmp_path / "run")
    assert set(trial.tensor_names(collection="weights")) == {"Sequential_0.weight", "Sequential_2.weight"}
    assert trial.tensor_names(collection="losses") == ["CrossEntropyLoss_output_0"]
    for step in (0, 2, 4):
        weight, gradient, loss = record[step]
        np.testing.assert_array_equal(trial.tensor("Sequential_0.weight").value(step, modes.TRAIN), weight)
        np.testing.assert_array_equal(trial.tensor("gradient/Sequential_0.weight").value(step, modes.TRAIN), gradient)
        assert trial.tensor("CrossEntropyLoss_output_0").value(step).item() == pytest.approx(loss)
    assert sorted(trial.tensor("Sequential_0.weight").values()) == [0, 2, 4]


def test_reductions_are_saved_instead_of_full_tensors(tmp_path: Path) -> None:
    reductions = ReductionConfig(reductions=["mean", "max"], abs_reductions=["mean"], norms=["l2"])
    hook = Hook(tmp_path / "run", save_config=SaveConfig(save_interval=1), reduction_config=reductions,
                include_collections=["gradients", "losses"])
    model, record = _model(), {}
    hook.register_module(model)
    _train(hook, model, 2, record)
    hook.close()
    tensor = create_trial(tmp_path / "run").tensor("gradient/Sequential_0.weight")
    gradient = record[1][1].astype(np.float64)
    assert tensor.reduction_value(1, "mean") == pytest.approx(gradient.mean())
    assert tensor.reduction_value(1, "mean", abs=True) == pytest.approx(np.abs(gradient).mean())
    assert tensor.reduction_value(1, "l2") == pytest.approx(np.sqrt((gradient ** 2).sum()))
    assert set(tensor.reduction_values(1)) == {("mean", False), ("max", False), ("l2", False), ("mean", True)}
    with pytest.raises(TensorUnavailableForStep, match="only reductions"):
        tensor.value(1)
    # losses never get reductions: the full value is there
    assert create_trial(tmp_path / "run").tensor("CrossEntropyLoss_output_0").value(1).size == 1


def test_files_use_smdebugs_layout_and_record_framing(tmp_path: Path) -> None:
    hook = Hook(tmp_path / "run", save_config=SaveConfig(save_steps=[0, 3]), include_collections=["weights"])
    model = _model()
    hook.register_module(model)
    _train(hook, model, 4)
    hook.close()
    run = tmp_path / "run"
    assert (run / "training_job_end.ts").read_bytes() == b""
    collections = json.loads((run / "collections/000000000/worker_0_collections.json").read_text())
    assert collections["_meta"] == {"num_workers": 1}
    assert collections["collections"]["weights"]["include_regex"] == ["^(?!gradient).*weight"]
    index = json.loads((run / "index/000000000/000000000003_worker_0.json").read_text())
    assert index["meta"] == {"mode": "TRAIN", "mode_step": 3,
                             "event_file_name": "events/000000000003/000000000003_worker_0.tfevents"}
    data = (run / index["meta"]["event_file_name"]).read_bytes()
    end = 0
    for item in index["tensor_payload"]:
        record = data[item["start_idx"]:item["start_idx"] + item["length"]]
        (length,) = struct.unpack("<Q", record[:8])
        assert struct.unpack("<I", record[8:12])[0] == masked_crc32c(record[:8])
        assert len(record) == length + 16 and record[-4:] == bytes.fromhex("b3c02d06")
        end = max(end, item["start_idx"] + item["length"])
    assert end == len(data)  # records cover the file exactly


def test_hook_from_the_jobs_json_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = DebuggerHookConfig(hook_parameters={"save_interval": 100, "train.save_steps": [1, 2]},
                                collection_configs=[CollectionConfig("weights", {"save_interval": "2"}),
                                                    CollectionConfig("fc", {"include_regex": "^Sequential_2"})])
    path = tmp_path / "debughookconfig.json"
    path.write_text(json.dumps(config.to_json(str(tmp_path / "tensors"), "s3://bucket/x")))
    monkeypatch.setenv("SMDEBUG_CONFIG_FILE_PATH", str(path))
    hook = Hook.create_from_json_file()
    model = _model()
    hook.register_module(model)
    _train(hook, model, 5)
    hook.close()
    trial = create_trial(tmp_path / "tensors")
    assert trial.tensor("Sequential_0.weight").steps() == [0, 2, 4]  # its own interval
    assert trial.tensor("CrossEntropyLoss_output_0").steps() == [0, 1, 2]  # hook's: 0, 100, ... and 1, 2
    assert trial.tensor_names(collection="fc") == ["Sequential_2.bias", "Sequential_2.weight"]


def test_sagemakers_request_form_merges_collections_and_reaches_tensorboard(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    request = {"S3OutputPath": "s3://bucket/debug", "CollectionConfigurations": [  # a rule's defaults, then yours
        {"CollectionName": "losses", "CollectionParameters": {"save_interval": "500"}},
        {"CollectionName": "weights", "CollectionParameters": {"include_regex": "^Sequential_0"}},
        {"CollectionName": "losses", "CollectionParameters": {"save_interval": "2"}},
        {"CollectionName": "weights", "CollectionParameters": {"include_regex": "^Sequential_2", "save_interval": "4"}}]}
    config = DebuggerHookConfig.from_json(request)
    assert config.s3_output_path == "s3://bucket/debug"
    assert [(c.name, c.parameters) for c in config.collection_configs] == [
        ("losses", {"save_interval": "2"}),
        ("weights", {"include_regex": "^Sequential_0,^Sequential_2", "save_interval": "4"})]
    (tmp_path / "debughookconfig.json").write_text(json.dumps(config.to_json(str(tmp_path / "tensors"), "s3://x")))
    board = TensorBoardOutputConfig("s3://bucket/tb")
    (tmp_path / "tensorboardoutputconfig.json").write_text(json.dumps(board.to_json(str(tmp_path / "tb"), "job")))
    monkeypatch.setenv("SMDEBUG_CONFIG_FILE_PATH", str(tmp_path / "debughookconfig.json"))
    monkeypatch.setenv("TENSORBOARD_CONFIG_FILE_PATH", str(tmp_path / "tensorboardoutputconfig.json"))
    hook = Hook.create_from_json_file()
    model = _model()
    hook.register_module(model)
    _train(hook, model, 5)
    hook.close()
    assert create_trial(tmp_path / "tensors").tensor("CrossEntropyLoss_output_0").steps() == [0, 2, 4]
    assert [step for step, _ in read_scalars(tmp_path / "tb")["TRAIN/CrossEntropyLoss_output_0"]] == [0, 2, 4]
    assert board.output_uri("job") == "s3://bucket/tb/job/tensorboard-output"


def test_trial_follows_a_run_in_progress(tmp_path: Path) -> None:
    hook = Hook(tmp_path / "run", save_config=SaveConfig(save_interval=1), include_collections=["losses"])
    model = _model()
    hook.register_module(model)
    _train(hook, model, 3)  # step 2 stays open until the next step or close
    trial = create_trial(tmp_path / "run", timeout=10)
    trial.wait_for_steps([0, 1], timeout=10)
    assert trial.has_passed_step(5) == StepState.NOT_YET_AVAILABLE and not trial.loaded_all_steps
    hook.close()
    trial.wait_for_steps([2], timeout=10)
    assert trial.loaded_all_steps and trial.has_passed_step(5) == StepState.UNAVAILABLE


def test_bad_input_gets_clear_errors(tmp_path: Path) -> None:
    Hook(tmp_path / "used").close()
    (tmp_path / "used" / "x").write_text("")
    with pytest.raises(ValidationError, match="already used"):
        Hook(tmp_path / "used")
    with pytest.raises(ValidationError, match="Unknown collection 'weigths'.*weights"):
        Hook(tmp_path / "a", include_collections=["weigths"])
    with pytest.raises(ValidationError, match="Unknown reduction 'median'"):
        ReductionConfig(reductions=["median"])
    with pytest.raises(ValidationError, match="Unknown rule 'VanishingGradients'.*VanishingGradient"):
        Rule.builtin("VanishingGradients")
    with pytest.raises(ValidationError, match="no parameter treshold.*threshold"):
        Rule.builtin("VanishingGradient", treshold=1)
    with pytest.raises(ValidationError, match="save_interval must be a whole number"):
        SaveConfig(save_interval=0)
    hook = Hook(tmp_path / "b", include_regex=["nothing_matches_this"], save_config=SaveConfig(save_interval=1))
    model = _model()
    hook.register_module(model)
    with pytest.raises(ValidationError, match="registered already"):
        hook.register_module(model)
    _train(hook, model, 1)
    with pytest.warns(UserWarning, match="include_regex 'nothing_matches_this' matched no tensor"):
        hook.close()
    with pytest.raises(ValidationError, match="No debugger config found"):
        Hook.create_from_json_file()


SMDEBUG_PYTHON = os.environ.get("SMDEBUG_PYTHON")


@pytest.mark.skipif(not SMDEBUG_PYTHON, reason="set SMDEBUG_PYTHON to a Python with smdebug 1.0.34 (numpy<2.3)")
def test_smdebugs_own_create_trial_reads_our_files(tmp_path: Path) -> None:
    hook = Hook(tmp_path / "run", save_config=SaveConfig(save_interval=2),
                include_collections=["weights", "gradients", "losses"])
    model, record = _model(), {}
    hook.register_module(model)
    _train(hook, model, 5, record)
    hook.close()
    program = (
        "import sys, json; from smdebug.trials import create_trial; from smdebug import modes\n"
        "t = create_trial(sys.argv[1])\n"
        "print(json.dumps({'names': t.tensor_names(), 'steps': t.steps(mode=modes.TRAIN),"
        " 'w': t.tensor('Sequential_0.weight').value(4).tolist(), 'losses': t.tensor_names(collection='losses'),"
        " 'done': t.loaded_all_steps}))\n"
    )
    out = subprocess.run([shutil.which(SMDEBUG_PYTHON) or SMDEBUG_PYTHON, "-c", program, str(tmp_path / "run")],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["steps"] == [0, 2, 4] and result["done"]
    assert "gradient/Sequential_0.weight" in result["names"]
    assert result["losses"] == ["CrossEntropyLoss_output_0"]
    np.testing.assert_array_equal(np.asarray(result["w"], dtype=np.float32), record[4][0])


def test_user_collections_by_regex_and_by_module(tmp_path: Path) -> None:
    hook = Hook(tmp_path / "run", save_config=SaveConfig(save_interval=1), include_collections=["losses"])
    model = _model()
    hook.get_collection("first_layer").include("^Sequential_0")
    hook.get_collection("activations").add_module_tensors(model[1], inputs=True)
    hook.register_module(model)
    _train(hook, model, 2)
    hook.save_scalar("lr", 0.5)
    hook.close()
    trial = create_trial(tmp_path / "run")
    assert trial.tensor_names(collection="first_layer") == ["Sequential_0.bias", "Sequential_0.weight"]
    assert trial.tensor_names(collection="activations") == ["1_input_0", "1_output_0"]
    relu_out = trial.tensor("1_output_0").value(1)
    assert relu_out.shape == (8, 6) and (relu_out >= 0).all()
    assert trial.tensor("scalar/lr").value(1) == 0.5


def test_dry_run_decides_but_writes_nothing(tmp_path: Path) -> None:
    hook = Hook(tmp_path / "run", dry_run=True, save_config=SaveConfig(save_interval=1))
    model = _model()
    hook.register_module(model)
    _train(hook, model, 3)
    hook.close()
    assert list((tmp_path / "run").iterdir()) == []


def test_tensorboard_export_writes_the_losses_and_scalars_as_tensorboard_scalars(tmp_path: Path) -> None:
    hook = Hook(tmp_path / "run", export_tensorboard=True, save_config=SaveConfig(save_interval=2),
                include_collections=["losses", "weights"])
    model, record = _model(), {}
    hook.register_module(model)
    _train(hook, model, 5, record)
    hook.save_scalar("lr", 0.5)
    hook.close()
    scalars = read_scalars(tmp_path / "run" / "tensorboard")
    assert sorted(scalars) == ["TRAIN/CrossEntropyLoss_output_0", "TRAIN/lr"]  # weights are not scalars
    losses = scalars["TRAIN/CrossEntropyLoss_output_0"]
    assert [step for step, _ in losses] == [0, 2, 4]
    np.testing.assert_allclose([value for _, value in losses], [record[s][2] for s in (0, 2, 4)], rtol=1e-6)
    assert scalars["TRAIN/lr"] == [(4, 0.5)]
    [events] = (tmp_path / "run" / "tensorboard" / "TRAIN").iterdir()
    assert events.name.endswith("_worker_0.tfevents")
    if SMDEBUG_PYTHON:  # smdebug's TFRecord reader checks each record's CRC, then protobuf parses the events
        program = (
            "import sys; from smdebug.core.tfrecord.record_reader import RecordReader\n"
            "from smdebug.core.tfevent.proto.event_pb2 import Event\n"
            "reader, found = RecordReader(sys.argv[1]), []\n"
            "while reader.has_data():\n"
            "    event = Event(); event.ParseFromString(reader.read_record(check=True))\n"
            "    found.append(event.file_version or ' '.join(f'{v.tag}={v.simple_value:.4f}@{event.step}' "
            "for v in event.summary.value))\n"
            "print('|'.join(found))\n")
        out = subprocess.run([shutil.which(SMDEBUG_PYTHON) or SMDEBUG_PYTHON, "-c", program, str(events)],
                             capture_output=True, text=True, timeout=120, check=True).stdout.strip().splitlines()[-1]
        assert out.split("|")[0] == "brain.Event:2"
        assert out.split("|")[1] == f"CrossEntropyLoss_output_0={record[0][2]:.4f}@0"
