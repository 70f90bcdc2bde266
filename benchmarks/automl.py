"""AutoML against FLAML, same split, same time budget, one thread each.

    python benchmarks/automl.py [--budget 60]

On scikit-learn's breast_cancer (binary: accuracy and AUC), digits (multiclass:
accuracy) and diabetes (regression: RMSE): our AutoML job with
total_job_runtime_in_seconds=budget against FLAML's AutoML.fit(time_budget=budget,
n_jobs=1), both scored on the same held-out quarter. Also the time from fit() to the
first candidate on our leaderboard. Target: equal or better than FLAML on each. Needs
`pip install "flaml[automl]"` (make bench installs it). The machine's load is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tarfile
import tempfile
from pathlib import Path

DATASETS = {"breast_cancer": "classification", "digits": "classification", "diabetes": "regression"}


def _split(name: str):
    import sklearn.datasets
    from sklearn.model_selection import train_test_split

    frame = getattr(sklearn.datasets, f"load_{name}")(as_frame=True).frame
    target = frame.columns[-1]
    stratify = frame[target] if DATASETS[name] == "classification" else None
    train, test = train_test_split(frame, test_size=0.25, random_state=0, stratify=stratify)
    return target, train, test


def _metrics(task: str, y_true, predicted, proba) -> dict[str, float]:
    from sklearn import metrics

    if task == "regression":
        return {"RMSE": metrics.mean_squared_error(y_true, predicted) ** 0.5}
    result = {"accuracy": metrics.accuracy_score(y_true, predicted)}
    if proba is not None and proba.shape[1] == 2:
        result["AUC"] = metrics.roc_auc_score(y_true, proba[:, 1])
    return result


def ours(name: str, budget: int, folder: Path) -> tuple[dict[str, float], float, float]:
    import joblib

    from jupyter_ext import AutoML
    from jupyter_ext.jobs import describe_job

    target, train, test = _split(name)
    automl = AutoML(target, max_candidates=500, total_job_runtime_in_seconds=budget)
    with contextlib.redirect_stdout(io.StringIO()):
        automl.fit(train, logs=False)
    job = describe_job(automl.latest_auto_ml_job.name)
    created, took = job.created_at, (job.ended_at - job.created_at).total_seconds()
    first = min(describe_job(c["CandidateName"]).ended_at for c in automl.list_candidates()
                if c["Algorithm"] != "ensemble")
    with tarfile.open(automl.create_model()) as tar:
        tar.extractall(folder / name)
    model = joblib.load(folder / name / "model.joblib")
    x_test = test.drop(columns=target)
    proba = model.predict_proba(x_test) if hasattr(model, "predict_proba") else None
    best = automl.best_candidate()
    print(f"{name}: our winner {best['Algorithm']} of {len(automl.list_candidates())} candidates", flush=True)
    return _metrics(DATASETS[name], test[target], model.predict(x_test), proba), (first - created).total_seconds(), took


def flaml(name: str, budget: int) -> dict[str, float]:
    from flaml import AutoML as FLAML

    target, train, test = _split(name)
    automl = FLAML()
    task = "classification" if DATASETS[name] == "classification" else "regression"
    automl.fit(train.drop(columns=target), train[target], task=task, time_budget=budget, n_jobs=1, seed=0, verbose=0)
    x_test = test.drop(columns=target)
    proba = automl.predict_proba(x_test) if task == "classification" else None
    return _metrics(DATASETS[name], test[target], automl.predict(x_test), proba)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=int, default=60)
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = "1"
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        os.environ["JUPYTER_EXT_HOME"] = str(folder / "home")
        os.environ["JUPYTER_EXT_DISPLAY"] = "text"
        rows = []
        for name in DATASETS:
            mine, first, took = ours(name, args.budget, folder)
            theirs = flaml(name, args.budget)
            rows.append((name, mine, theirs, first, took))
            print(f"{name}: ours {mine} (first candidate after {first:.1f} s, the job took {took:.1f} s); FLAML {theirs}",
                  flush=True)
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; budget {args.budget} s")
    ok = True
    for name, mine, theirs, _, _ in rows:
        for metric, value in mine.items():
            better = value <= theirs[metric] if metric == "RMSE" else value >= theirs[metric]
            ok &= better
            print(f"  {name:14s} {metric:8s} ours {value:.4f}  FLAML {theirs[metric]:.4f}  "
                  f"ratio {value / theirs[metric]:.4f}  {'ok' if better else 'worse'}")
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()
