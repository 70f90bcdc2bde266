"""The sidebar's cost to the server, with 10,000 jobs in the store.

    python benchmarks/sidebar_api.py [--idle-seconds 60]

1. Latency of the first page of GET /jupyter-ext/api/jobs (50 jobs, with primary
   metrics), its 304 revalidation, and, as the baseline in the same run, jupyter_server's
   own GET /api/status. Target: first page under 50 ms (median).
2. Each main-area page's first data (what it draws first; target under 300 ms, median):
   a tuning job's, GET /jupyter-ext/api/tuning-jobs/{name} with 1,000 trials; an AutoML
   job's, GET .../automl-jobs/{name} with 200 candidates; runs compared, GET
   .../run-comparison?experiment= over 100 runs then the 5 chosen runs' metric curves
   (GET .../runs/{name}/metrics, one after the other here; the page asks in parallel).
3. The server's CPU time while JupyterLab is open in Chromium with the jobs panel shown
   and nothing happening, against the same time with the panel closed (the baseline).
The machine's load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

TOKEN = "bench-token"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _fill_store(count: int) -> None:
    from jupyter_ext.jobs import records  # noqa: F401 (registers the jobs tables' migrations)
    from jupyter_ext.store import get_store

    spec = json.dumps({"metric_definitions": [{"Name": "loss", "Regex": "loss: ([0-9.]+)"}], "max_run": 60})
    now = time.time()
    store = get_store()
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO jobs (name, job_type, status, created_at, started_at, ended_at, last_modified,"
            " executor, job_dir, spec) VALUES (?, 'Training', 'Completed', ?, ?, ?, ?, 'local', '', ?)",
            [(f"job-{i:05d}", now - i, now - i, now - i + 5, now - i, spec) for i in range(count)],
        )
        db.executemany(
            "INSERT INTO metrics (job_name, name, value, step, timestamp) VALUES (?, 'loss', ?, ?, ?)",
            [(f"job-{i:05d}", 1 / (s + 1), s, now) for i in range(count) for s in range(3)],
        )


def _fill_tuning_job(root: Path, trials: int) -> str:
    """A finished Random tuning job with `trials` training jobs, as its runner leaves them."""
    from jupyter_ext.store import get_store

    name, folder = "bench-tune", root / "bench-tune"
    folder.mkdir()
    ranges = {"lr": {"Type": "Continuous", "min_value": 1e-4, "max_value": 1.0, "scaling_type": "Logarithmic"},
              "depth": {"Type": "Integer", "min_value": 1, "max_value": 9, "scaling_type": "Auto"}}
    (folder / "tuning.json").write_text(json.dumps({
        "name": name, "strategy": "Random", "objective_type": "Maximize", "max_jobs": trials, "max_parallel_jobs": 2,
        "early_stopping_type": "Off", "definitions": [{"name": "training", "objective_metric_name": "auc", "ranges": ranges}]}))
    children = [f"{name}-{i:04d}" for i in range(1, trials + 1)]
    with open(folder / "trials.jsonl", "w") as file:
        for i, child in enumerate(children):
            file.write(json.dumps({"job": child, "definition": "training", "hyperparameters": {
                "lr": str(10 ** -(i % 4)), "depth": str(1 + i % 9)}, "value": (i * 7919 % 1000) / 1000,
                "status": "Completed"}) + "\n")
    now, spec = time.time(), json.dumps({"max_run": 60, "metric_definitions": []})
    with get_store().transaction() as db:
        db.execute("INSERT INTO jobs (name, job_type, status, created_at, started_at, ended_at, last_modified,"
                   " executor, job_dir, spec) VALUES (?, 'Tuning', 'Completed', ?, ?, ?, ?, 'local', ?, ?)",
                   (name, now - 9000, now - 9000, now, now, str(folder), spec))
        db.executemany(
            "INSERT INTO jobs (name, job_type, status, created_at, started_at, ended_at, last_modified,"
            " executor, job_dir, spec, parent) VALUES (?, 'Training', 'Completed', ?, ?, ?, ?, 'local', '', ?, ?)",
            [(child, now - 9000 + i, now - 9000 + i, now - 8999 + i, now, spec, name) for i, child in enumerate(children)])
    return name


def _fill_automl_job(root: Path, candidates: int) -> str:
    """A finished AutoML job whose leaderboard ranks `candidates` candidates and their ensemble."""
    from jupyter_ext.store import get_store

    name, folder = "bench-automl", root / "bench-automl"
    folder.mkdir()
    board = [{"CandidateName": f"{name}-{i:03d}", "Algorithm": "xgboost" if i % 2 else "linear-learner",
              "Preprocessing": "standard", "FinalAutoMLJobObjectiveMetric": {"MetricName": "F1", "Value": 1 - i / 1000},
              "CandidateStatus": "Completed", "CandidateMetrics": {"F1": 1 - i / 1000, "Accuracy": 0.9, "AUC": 0.95},
              "HyperParameters": {"max_depth": str(3 + i % 5)}, "JobDir": str(folder / f"c{i}")} for i in range(candidates)]
    board.insert(0, {**board[0], "CandidateName": f"{name}-ensemble", "Algorithm": "ensemble",
                     "HyperParameters": {"members": {board[0]["CandidateName"]: 3, board[1]["CandidateName"]: 2}}})
    (folder / "leaderboard.json").write_text(json.dumps(board))
    now, spec = time.time(), json.dumps({"max_run": 60, "metric_definitions": []})
    with get_store().transaction() as db:
        db.execute("INSERT INTO jobs (name, job_type, status, created_at, started_at, ended_at, last_modified,"
                   " executor, job_dir, spec) VALUES (?, 'AutoML', 'Completed', ?, ?, ?, ?, 'local', ?, ?)",
                   (name, now - 900, now - 900, now, now, str(folder), spec))
    return name


def _fill_experiment(runs: int, points: int = 20) -> tuple[str, list[str]]:
    """An experiment of `runs` runs, each with 5 parameters and 3 metrics of `points` steps;
    returns its name and its runs' names."""
    from jupyter_ext.experiments import records
    from jupyter_ext.store import get_store

    store, name = get_store(), "bench-exp"
    records.ensure_experiment(store, name)
    names = [f"{name}-run-{i:03d}" for i in range(runs)]
    for i, run in enumerate(names):
        records.ensure_run(store, run, name, f"Default-Run-Group-{name}", run, "bench.ipynb", status="Completed")
        records.set_parameters(store, run, {"C": 10 ** (i % 5 - 2), "kernel": ["rbf", "linear"][i % 2],
                                            "gamma": i / runs, "depth": i % 7, "seed": i})
    records.add_run_metrics(store, [(run, metric, (i + 1) / (step + 1), step, time.time()) for i, run in enumerate(names)
                                    for metric in ("loss", "accuracy", "auc") for step in range(points)])
    return name, names


def _timed_get(url: str, headers: dict[str, str] | None = None) -> tuple[float, int]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}", **(headers or {})})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return time.perf_counter() - start, response.status
    except urllib.error.HTTPError as error:
        return time.perf_counter() - start, error.code
    except OSError:  # not listening yet
        return time.perf_counter() - start, 0


def _median_ms(url: str, repeats: int, headers: dict[str, str] | None = None) -> float:
    return statistics.median(_timed_get(url, headers)[0] for _ in range(repeats)) * 1000


def _start_lab(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={TOKEN}", "--LabApp.news_url=None", f"--ServerApp.root_dir={root}",
         f"--LabApp.workspaces_dir={root / 'workspaces'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while _timed_get(f"{url}/api/status")[1] != 200:
        if time.monotonic() > deadline:
            raise RuntimeError("jupyter lab did not start")
        time.sleep(0.2)
    return process, url


def _server_cpu(process: psutil.Process, seconds: float) -> float:
    before = process.cpu_times()
    time.sleep(seconds)
    after = process.cpu_times()
    return (after.user - before.user) + (after.system - before.system)


def _idle_cpu(url: str, server: psutil.Process, seconds: float) -> tuple[float, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{url}/lab?token={TOKEN}")
        tab = page.locator('.lm-TabBar-tab[data-id="jupyter-ext-sidebar"]')
        tab.wait_for(timeout=60_000)
        time.sleep(5)
        closed = _server_cpu(server, seconds)
        tab.click()
        page.locator("#jupyter-ext-sidebar .jp-JupyterExt-row").first.wait_for()
        time.sleep(5)
        shown = _server_cpu(server, seconds)
        browser.close()
    return shown, closed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--trials", type=int, default=1_000)
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        os.environ["JUPYTER_EXT_HOME"] = str(root / "home")
        _fill_store(args.jobs)
        tuning = _fill_tuning_job(root, args.trials)
        automl = _fill_automl_job(root, args.candidates)
        experiment, runs = _fill_experiment(args.runs)
        process, url = _start_lab(root)
        try:
            api = f"{url}/jupyter-ext/api/jobs?limit=50"
            _timed_get(api)  # warm up
            page_ms = _median_ms(api, 30)
            etag = urllib.request.urlopen(urllib.request.Request(api, headers={"Authorization": f"token {TOKEN}"})).headers["Etag"]
            revalidate_ms = _median_ms(api, 30, {"If-None-Match": etag})
            baseline_ms = _median_ms(f"{url}/api/status", 30)
            tuning_url = f"{url}/jupyter-ext/api/tuning-jobs/{tuning}"
            assert _timed_get(tuning_url)[1] == 200
            tuning_ms = _median_ms(tuning_url, 15)
            automl_url = f"{url}/jupyter-ext/api/automl-jobs/{automl}"
            assert _timed_get(automl_url)[1] == 200
            automl_ms = _median_ms(automl_url, 15)
            compare_urls = [f"{url}/jupyter-ext/api/run-comparison?experiment={experiment}"] + [
                f"{url}/jupyter-ext/api/runs/{run}/metrics" for run in runs[:5]]
            assert all(_timed_get(u)[1] == 200 for u in compare_urls)
            compare_ms = statistics.median(sum(_timed_get(u)[0] for u in compare_urls) for _ in range(15)) * 1000
            shown, closed = _idle_cpu(url, psutil.Process(process.pid), args.idle_seconds)
        finally:
            process.terminate()
            process.wait(30)
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"store: {args.jobs:,} jobs; baseline: jupyter_server's GET /api/status, same run")
    print(f"first page (50 jobs)   : {page_ms:6.1f} ms median   ratio {page_ms / baseline_ms:5.1f}x baseline "
          f"({baseline_ms:.1f} ms)   target < 50 ms")
    print(f"unchanged page (304)   : {revalidate_ms:6.1f} ms median   ratio {revalidate_ms / baseline_ms:5.1f}x baseline")
    print(f"tuning job page ({args.trials:,} trials): {tuning_ms:6.1f} ms median   target < 300 ms")
    print(f"AutoML job page ({args.candidates:,} candidates): {automl_ms:6.1f} ms median   target < 300 ms")
    print(f"runs compared ({args.runs:,} runs, 5 curves): {compare_ms:6.1f} ms median   target < 300 ms")
    print(f"server CPU, {args.idle_seconds:g} s idle: panel shown {shown:.2f} s ({shown / args.idle_seconds:.2%}), "
          f"panel closed {closed:.2f} s ({closed / args.idle_seconds:.2%}); extra {shown - closed:+.2f} s")
    met = page_ms < 50 and max(tuning_ms, automl_ms, compare_ms) < 300
    print("targets met" if met else "TARGET MISSED")


if __name__ == "__main__":
    main()
