"""Experiment tracking speed.

    python benchmarks/tracking.py [--points 100000] [--runs 1000]

1. `Run.log_metric` throughput and time per call (batched writes), against MLflow's file
   store logging the same points in the same run when MLflow is installed, and against
   the floor: one SQLite executemany of the same rows. Targets: 10,000 points a second,
   a call under 1 ms amortized.
2. `ExperimentAnalytics(...).dataframe()` over 1,000 runs (3 parameters, 2 metrics of 10
   points each). Target: under 1 s.
The machine's load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path


def log_metric_rate(points: int) -> float:
    """Points a second through Run.log_metric (flush included)."""
    from jupyter_ext.experiments import Run

    start = time.perf_counter()
    with Run(experiment_name="bench", run_name="throughput") as run:
        for i in range(points):
            run.log_metric("loss", 1.0 / (i + 1), step=i)
    return points / (time.perf_counter() - start)


def sqlite_floor(points: int, folder: Path) -> float:
    """Points a second for one executemany into a fresh WAL database."""
    db = sqlite3.connect(folder / "floor.sqlite", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE m (run TEXT, name TEXT, value REAL, step INTEGER, timestamp REAL)")
    start = time.perf_counter()
    db.execute("BEGIN")
    db.executemany("INSERT INTO m VALUES (?, ?, ?, ?, ?)", [("r", "loss", 1.0 / (i + 1), i, time.time())
                                                            for i in range(points)])
    db.execute("COMMIT")
    return points / (time.perf_counter() - start)


def mlflow_rate(points: int, folder: Path) -> float | None:
    """Points a second through mlflow.log_metric with a file store, if MLflow is installed."""
    if importlib.util.find_spec("mlflow") is None:
        return None
    import mlflow

    mlflow.set_tracking_uri(f"file://{folder / 'mlruns'}")
    start = time.perf_counter()
    with mlflow.start_run():
        for i in range(points):
            mlflow.log_metric("loss", 1.0 / (i + 1), step=i)
    return points / (time.perf_counter() - start)


def analytics_seconds(runs: int) -> float:
    """Seconds for ExperimentAnalytics.dataframe() over `runs` runs (median of 3)."""
    from jupyter_ext.experiments import ExperimentAnalytics, Run

    for i in range(runs):
        with Run(experiment_name="many", run_name=f"r{i}") as run:
            run.log_parameters({"C": i / 10, "depth": i % 7, "solver": "lbfgs"})
            for step in range(10):
                run.log_metric("loss", 1 / (step + 1 + i), step=step)
                run.log_metric("auc", 0.5 + step / 40, step=step)
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        frame = ExperimentAnalytics(experiment_name="many").dataframe()
        timings.append(time.perf_counter() - start)
        assert len(frame) == runs
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--mlflow-points", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        os.environ["JUPYTER_EXT_HOME"] = str(folder / "home")
        ours = log_metric_rate(args.points)
        floor = sqlite_floor(args.points, folder)
        mlflow = mlflow_rate(args.mlflow_points, folder)
        analytics = analytics_seconds(args.runs)
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"Run.log_metric: {ours:,.0f} points/s, {1e6 / ours:.1f} us a call amortized ({args.points:,} points); "
          f"targets 10,000 points/s and < 1 ms")
    print(f"  floor, one SQLite executemany: {floor:,.0f} points/s (ratio ours/floor {ours / floor:.2f})")
    if mlflow is None:
        print("  MLflow file store: MLflow is not installed; that baseline was skipped")
    else:
        print(f"  MLflow file store: {mlflow:,.0f} points/s (ratio ours/MLflow {ours / mlflow:.1f}x)")
    print(f"ExperimentAnalytics.dataframe() over {args.runs:,} runs: {analytics:.3f} s (target < 1 s)")
    print("targets met" if ours >= 10_000 and analytics < 1 else "TARGETS MISSED")


if __name__ == "__main__":
    main()
