"""Tuning jobs against plain Optuna, one run, side by side.

    python benchmarks/tuning.py [--trials 30] [--seeds 5] [--overhead-trials 20]

1. Per-trial overhead: a tuning job (one training job at a time) on a trivial objective,
   against a plain Optuna loop calling the same objective in-process. Target: under 0.3 s.
2. Search quality: the best validation accuracy after N trials tuning scikit-learn's
   HistGradientBoostingClassifier on the digits data set (ships with scikit-learn), for
   our Bayesian and Random strategies and plain Optuna TPE, mean over the seeds. Target:
   Bayesian at least as good as Random and as plain Optuna. Jobs run two at a time, one
   thread each. Early stopping is off (so no pruner rule is involved).
The machine's load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

TRIVIAL = """import argparse
p = argparse.ArgumentParser(); p.add_argument("-x", type=float); a = p.parse_args()
print(f"score: {-(a.x - 3) ** 2}")
"""

HGB = """import argparse
from sklearn.datasets import load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split


def score(learning_rate, max_leaf_nodes, l2_regularization):
    X, y = load_digits(return_X_y=True)
    X_train, X_valid, y_train, y_valid = train_test_split(X, y, test_size=0.3, random_state=0)
    model = HistGradientBoostingClassifier(learning_rate=learning_rate, max_leaf_nodes=max_leaf_nodes,
                                           l2_regularization=l2_regularization, max_iter=30, random_state=0)
    return model.fit(X_train, y_train).score(X_valid, y_valid)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--learning_rate", type=float)
    p.add_argument("--max_leaf_nodes", type=int)
    p.add_argument("--l2_regularization", type=float)
    a = p.parse_args()
    print(f"accuracy: {score(a.learning_rate, a.max_leaf_nodes, a.l2_regularization)}")
"""


def _quiet(function, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args, **kwargs)


def overhead(folder: Path, trials: int) -> tuple[float, float]:
    """Seconds per trial: (tuning job, plain Optuna in-process)."""
    import optuna

    from jupyter_ext import ContinuousParameter, Estimator, HyperparameterTuner

    (folder / "trivial.py").write_text(TRIVIAL)
    est = Estimator(str(folder / "trivial.py"), metric_definitions=[{"Name": "score", "Regex": "score: (\\S+)"}])
    tuner = HyperparameterTuner(est, "score", {"x": ContinuousParameter(0, 10)}, strategy="Random",
                                max_jobs=trials, random_seed=0)
    start = time.perf_counter()
    _quiet(tuner.fit, logs=False)
    ours = (time.perf_counter() - start) / trials
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=0))
    start = time.perf_counter()
    study.optimize(lambda t: -(t.suggest_float("x", 0, 10) - 3) ** 2, n_trials=trials)
    return ours, (time.perf_counter() - start) / trials


def quality(folder: Path, trials: int, seeds: int) -> dict[str, list[float]]:
    """Best validation accuracy per seed for each method."""
    import importlib.util

    import optuna

    from jupyter_ext import ContinuousParameter, Estimator, HyperparameterTuner, IntegerParameter

    (folder / "hgb.py").write_text(HGB)
    spec = importlib.util.spec_from_file_location("hgb", folder / "hgb.py")
    hgb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hgb)
    ranges = {"learning_rate": ContinuousParameter(0.01, 1.0, "Logarithmic"),
              "max_leaf_nodes": IntegerParameter(4, 128, "Logarithmic"),
              "l2_regularization": ContinuousParameter(1e-6, 10.0, "Logarithmic")}
    est = Estimator(str(folder / "hgb.py"), metric_definitions=[{"Name": "accuracy", "Regex": "accuracy: (\\S+)"}])
    results: dict[str, list[float]] = {"Bayesian": [], "Random": [], "plain Optuna TPE": []}
    for seed in range(seeds):
        for strategy in ("Bayesian", "Random"):
            tuner = HyperparameterTuner(est, "accuracy", ranges, strategy=strategy, max_jobs=trials,
                                        max_parallel_jobs=2, random_seed=seed)
            _quiet(tuner.fit, logs=False)
            results[strategy].append(float(tuner.analytics().dataframe()["FinalObjectiveValue"].max()))
        study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
        study.optimize(lambda t: hgb.score(t.suggest_float("learning_rate", 0.01, 1.0, log=True),
                                           t.suggest_int("max_leaf_nodes", 4, 128, log=True),
                                           t.suggest_float("l2_regularization", 1e-6, 10.0, log=True)),
                       n_trials=trials)
        results["plain Optuna TPE"].append(study.best_value)
        print(f"seed {seed}: " + ", ".join(f"{k} {v[-1]:.4f}" for k, v in results.items()), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--overhead-trials", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        os.environ["JUPYTER_EXT_HOME"] = str(folder / "home")
        os.environ["JUPYTER_EXT_DISPLAY"] = "text"
        ours, plain = overhead(folder, args.overhead_trials)
        results = quality(folder, args.trials, args.seeds)
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"per trial: tuning job {ours:.3f} s, plain Optuna in-process {plain * 1000:.2f} ms; "
          f"overhead {ours - plain:.3f} s a trial (target < 0.3 s)")
    if not args.seeds:
        print("search quality skipped (--seeds 0)")
        return
    means = {k: statistics.mean(v) for k, v in results.items()}
    print(f"best validation accuracy after {args.trials} trials, mean of {args.seeds} seeds:")
    for name, value in means.items():
        print(f"  {name:18s} {value:.4f}  (ratio to plain Optuna TPE {value / means['plain Optuna TPE']:.4f})")
    ok = ours - plain < 0.3 and means["Bayesian"] >= means["Random"] and means["Bayesian"] >= means["plain Optuna TPE"]
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()
