"""Debugger hook overhead on a small CNN training loop.

    python benchmarks/debugger.py [--steps 1000]

Step time of the same loop (a two-conv CNN on 28x28 inputs, batch 32, one thread) in one
process: without a hook; with the default collections (weights, biases, gradients,
losses) saved every 100 steps; and with full tensors of those collections every step.
Two models train side by side, one step each in turn, so machine load touches both
alike: no hook against every 100 steps, then no hook against every step (a quarter of the
steps). The time to finish the hook's writes counts. Target: under 5 % overhead at every
100 steps. The machine's load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import torch

from jupyter_ext.debugger import Hook, SaveConfig

COLLECTIONS = ["weights", "biases", "gradients", "losses"]


class SmallCNN(torch.nn.Module):
    """conv(1→8) → relu → pool → conv(8→16) → relu → pool → linear(16·7·7→10)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.conv2 = torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.Conv2d(8, 16, 3, padding=1)
        self.relu1, self.relu2, self.pool = torch.nn.ReLU(), torch.nn.ReLU(), torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(16 * 7 * 7, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.relu1(self.conv1(x)))
        x = self.pool(self.relu2(self.conv2(x)))
        return self.fc(x.flatten(1))


class Trainer:
    """One model, optimizer and batch, with a hook saving every `save_interval` steps (or none)."""

    def __init__(self, out_dir: Path | None, save_interval: int) -> None:
        torch.manual_seed(0)
        self.model, self.loss_fn = SmallCNN(), torch.nn.CrossEntropyLoss()
        self.hook = None
        if out_dir is not None:
            self.hook = Hook(out_dir, save_config=SaveConfig(save_interval=save_interval),
                             include_collections=COLLECTIONS)
            self.hook.register_module(self.model)
            self.hook.register_loss(self.loss_fn)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.01)
        self.x, self.y = torch.randn(32, 1, 28, 28), torch.randint(0, 10, (32,))

    def step(self) -> float:
        """Seconds for one training step."""
        start = time.perf_counter()
        self.optimizer.zero_grad()
        self.loss_fn(self.model(self.x), self.y).backward()
        self.optimizer.step()
        return time.perf_counter() - start

    def close(self) -> float:
        """Seconds to finish the hook's writes."""
        start = time.perf_counter()
        if self.hook is not None:
            self.hook.close()
        return time.perf_counter() - start


def interleaved(trainers: dict[str, Trainer], steps: int) -> dict[str, float]:
    """Mean seconds a step of each trainer, their steps taken in turn (the same load for each),
    the time to finish each hook's writes included."""
    totals = dict.fromkeys(trainers, 0.0)
    names = list(trainers)
    for i in range(steps):
        for name in names[i % len(names):] + names[:i % len(names)]:
            totals[name] += trainers[name].step()
    return {name: (totals[name] + trainers[name].close()) / steps for name in names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as scratch:
        Trainer(None, 1).step()  # warm up
        folder = Path(scratch)
        # The writer thread of "every step" would slow the others down: it gets its own pair.
        sparse = interleaved({"no hook": Trainer(None, 1), "every 100 steps": Trainer(folder / "a", 100)}, args.steps)
        full = interleaved({"no hook": Trainer(None, 1), "full tensors every step": Trainer(folder / "b", 1)},
                           args.steps // 4)
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for pair, steps in ((sparse, args.steps), (full, args.steps // 4)):
        base = pair["no hook"]
        for name, value in pair.items():
            print(f"{name:>24}: {value * 1e3:7.3f} ms/step  overhead {100 * (value / base - 1):+6.1f} %  ({steps} steps)")
    overhead = sparse["every 100 steps"] / sparse["no hook"] - 1
    print("target met (< 5 % at every 100 steps)" if overhead < 0.05 else "TARGET MISSED (>= 5 % at every 100 steps)")


if __name__ == "__main__":
    main()
