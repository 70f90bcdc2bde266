"""Built-in rules: each fires on a training run built to trigger it and stays quiet on a
healthy one. Runs are real torch training with a Hook; rules read them back from disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from jupyter_ext.debugger import Hook, SaveConfig, create_trial, get_rule_class, invoke_rule, modes, rule_names

torch.set_num_threads(1)


class Net(torch.nn.Module):
    """fc1 → relu (or tanh) → fc2 → second_relu → fc3."""

    def __init__(self, activation: str) -> None:
        super().__init__()
        self.fc1, self.fc2, self.fc3 = torch.nn.Linear(4, 16), torch.nn.Linear(16, 16), torch.nn.Linear(16, 2)
        setattr(self, activation, torch.nn.ReLU() if activation == "relu" else torch.nn.Tanh())
        self.activation, self.second_relu = getattr(self, activation), torch.nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc3(self.second_relu(self.fc2(self.activation(self.fc1(x)))))


def make_run(path: Path, lr: float = 0.5, steps: int = 30, activation: str = "relu", bias1: float | None = None,
             scale2: float = 1.0, scale_input: float = 1.0, weight_scale: float = 1.0, nan_at: int | None = None,
             imbalance: bool = False, overfit: bool = False, close: bool = True) -> Path:
    """A small classifier trained `steps` full-batch steps, every tensor saved every step,
    with an EVAL pass every 5 steps; the keywords break it in one way each."""
    torch.manual_seed(0)
    model = Net(activation)
    with torch.no_grad():
        model.fc1.weight.mul_(weight_scale)
        model.fc2.weight.mul_(scale2)
        if bias1 is not None:
            model.fc1.bias.fill_(bias1)
    hook = Hook(path, save_config=SaveConfig(save_interval=1),
                include_collections=["weights", "biases", "gradients", "losses", "relu_output", "relu_input",
                                     "tanh_input"])
    loss_fn = torch.nn.CrossEntropyLoss()
    hook.register_module(model)
    hook.register_loss(loss_fn)
    x = torch.randn(64, 4, generator=torch.Generator().manual_seed(1)) * scale_input
    y = ((x[:, 0] > 1.7 * scale_input) if imbalance else (x[:, 0] + x[:, 1] > 0)).long()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for step in range(steps):
        hook.set_mode(modes.TRAIN)
        batch = x.clone()
        if nan_at == step:
            batch[0, 0] = float("nan")
        optimizer.zero_grad()
        logits = model(batch)
        loss_fn(logits, y).backward()
        hook.save_tensor("labels", y, "labels")
        hook.save_tensor("predictions", logits.argmax(1), "labels")
        optimizer.step()
        if step % 5 == 4:
            hook.set_mode(modes.EVAL)
            with torch.no_grad():
                loss_fn(model(x), 1 - y if overfit else y)
    if close:
        hook.close()
    return path


# (rule, parameters, how to break the run)
RULES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("VanishingGradient", {}, {"bias1": -100.0}),
    ("ExplodingTensor", {}, {"nan_at": 3}),
    ("LossNotDecreasing", {}, {"lr": 0.0}),
    ("Overfit", {}, {"overfit": True}),
    ("Overtraining", {}, {"lr": 0.0}),
    ("DeadRelu", {}, {"bias1": -100.0}),
    ("PoorWeightInitialization", {}, {"scale2": 100.0}),
    ("SaturatedActivation", {}, {"activation": "tanh", "scale_input": 10000.0}),
    ("WeightUpdateRatio", {}, {"lr": 0.0}),
    ("AllZero", {"collection_names": "relu_output"}, {"bias1": -100.0}),
    ("ClassImbalance", {"samples": 256}, {"imbalance": True}),
    ("UnchangedTensor", {"collection_names": "weights"}, {"lr": 0.0}),
    ("TensorVariance", {"collection_names": "weights", "max_threshold": 10, "min_threshold": 1e-6},
     {"weight_scale": 1000.0}),
    ("StalledTrainingRule", {"threshold": 1}, {"close": False}),
]


def _evaluate(run: Path, name: str, parameters: dict[str, Any]) -> tuple[int | None, str]:
    rule = get_rule_class(name)(create_trial(run), **{k: str(v) for k, v in parameters.items()})
    return invoke_rule(rule, poll=0.05), rule.details


def test_every_builtin_rule_is_covered() -> None:
    assert sorted(name for name, _, _ in RULES) == rule_names()


@pytest.fixture(scope="module")
def healthy_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("healthy")
    return {"relu": make_run(folder / "relu"), "tanh": make_run(folder / "tanh", activation="tanh")}


@pytest.mark.parametrize("name, parameters", [(n, p) for n, p, _ in RULES], ids=[n for n, _, _ in RULES])
def test_rule_stays_quiet_on_a_healthy_run(healthy_runs: dict[str, Path], name: str, parameters: dict[str, Any]) -> None:
    run = healthy_runs["tanh" if name == "SaturatedActivation" else "relu"]
    step, details = _evaluate(run, name, parameters)
    assert step is None, f"{name} fired at step {step} on a healthy run: {details}"


@pytest.mark.parametrize("name, parameters, broken", RULES, ids=[n for n, _, _ in RULES])
def test_rule_fires_on_a_run_built_to_trigger_it(tmp_path: Path, name: str, parameters: dict[str, Any],
                                                 broken: dict[str, Any]) -> None:
    step, details = _evaluate(make_run(tmp_path / "run", **broken), name, parameters)
    assert step is not None, f"{name} stayed quiet on a run built to trigger it"
    assert details  # the status says what was found


NOTIFIED: list[tuple[str, int, str]] = []


def remember_issue(rule_name: str, step: int, details: str) -> None:
    """A notification callback (it must live in an importable module)."""
    NOTIFIED.append((rule_name, step, details))


def test_notification_actions_run_when_a_rule_fires(tmp_path: Path, capsys) -> None:
    from jupyter_ext.debugger import ActionList, Email, Notify
    from jupyter_ext.errors import ValidationError

    actions = ActionList(Notify(remember_issue), Email("ml-team@example.com")).serialize()
    rule = get_rule_class("LossNotDecreasing")(create_trial(make_run(tmp_path / "run", lr=0.0)), action_str=actions)
    assert invoke_rule(rule) == 12  # global step 12 = TRAIN step 10 (two EVAL steps came between)
    assert NOTIFIED == [("LossNotDecreasing", 12, rule.details)] and "at mode step 10" in rule.details
    assert "Notification (email to ml-team@example.com): rule LossNotDecreasing found an issue at step 12" in capsys.readouterr().out
    with pytest.raises(ValidationError, match="importable module"):
        Notify(lambda *a: None)
