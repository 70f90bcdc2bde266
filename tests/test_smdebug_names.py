"""`import smdebug.pytorch as smd` in a training job whose Python has no smdebug gets
jupyter_ext's hook, and what it saves reads back with our trial reader."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from jupyter_ext import Estimator
from jupyter_ext.debugger import CollectionConfig, DebuggerHookConfig, create_trial
from jupyter_ext.debugger.rule_jobs import SMDEBUG_SHIM

pytestmark = pytest.mark.skipif(importlib.util.find_spec("smdebug") is not None,
                                reason="a real smdebug is installed; jobs use it")

SMDEBUG_SCRIPT = """
import torch
import smdebug.pytorch as smd
from smdebug.core.modes import ModeKeys
from smdebug.trials import create_trial
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
loss_fn = torch.nn.MSELoss()
hook = smd.Hook.create_from_json_file()
assert smd.get_hook(create_if_not_exists=True) is hook
hook.register_module(model)
hook.register_loss(loss_fn)
hook.set_mode(smd.modes.TRAIN)
assert smd.modes.TRAIN == ModeKeys.TRAIN and smd.CollectionKeys.LOSSES == "losses"
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
x, y = torch.randn(16, 3), torch.randn(16, 1)
for step in range(4):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
print("smdebug is", smd.__name__, smd.Hook.__module__)
print("from", smd.__file__)
"""


def test_a_script_importing_smdebug_pytorch_writes_tensors_our_trial_reads(script, tmp_path: Path) -> None:
    script(SMDEBUG_SCRIPT)
    config = DebuggerHookConfig(hook_parameters={"save_interval": "1"},
                                collection_configs=[CollectionConfig("weights"), CollectionConfig("losses")])
    est = Estimator("train.py", debugger_hook_config=config, output_path=str(tmp_path / "out"))
    est.fit()
    job = est.latest_training_job
    assert "smdebug is smdebug.pytorch jupyter_ext.debugger.hook" in [line.message for line in job.read_log().lines]
    trial = create_trial(tmp_path / "out" / job.name / "debug-output", timeout=5)
    assert trial.tensor("MSELoss_output_0").steps() == [0, 1, 2, 3]
    assert trial.tensor("Sequential_0.weight").value(3).shape == (4, 3)
    shim = SMDEBUG_SHIM / "smdebug" / "pytorch" / "__init__.py"
    assert f"from {shim}" in [line.message for line in job.read_log().lines]


def test_get_hook_without_a_debugger_config_gives_none_and_training_goes_on(script) -> None:
    script("""
    import torch
    import smdebug.pytorch as smd
    hook = smd.get_hook(create_if_not_exists=True)
    model = torch.nn.Linear(2, 1)
    if hook is not None:
        hook.register_module(model)
    model(torch.ones(1, 2)).sum().backward()
    print("hook:", hook)
    """)
    est = Estimator("train.py")
    est.fit()
    assert "hook: None" in [line.message for line in est.latest_training_job.read_log().lines]


def test_the_shim_is_left_out_of_other_jobs_environment(script) -> None:
    from jupyter_ext import ScriptProcessor

    script("import importlib.util\nprint('smdebug:', importlib.util.find_spec('smdebug'))\n", "prep.py")
    processor = ScriptProcessor(command=["python3"])
    processor.run(code="prep.py")
    assert "smdebug: None" in [line.message for line in processor.latest_job.read_log().lines]
