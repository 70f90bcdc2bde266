"""Job overhead against plain `python`, and listing 10,000 jobs from the store.

    python benchmarks/job_overhead.py [--runs 15]

For each run, the same script is started (a) with plain `python script.py` and (b) as a
training job with `Estimator.fit()`. The script writes the time of its first line; we
report the median time from launch to that line and to the end (for a job: to fit()
returning after Completed), and the overhead (b - a). Targets: overhead under 0.3 s
median; listing 10,000 jobs under 50 ms. The machine load is printed with the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT = """import time, sys
first = time.time()
open(sys.argv[-1], "w").write(repr(first))
"""


def _plain(script: Path, marker: Path) -> tuple[float, float]:
    start = time.time()
    subprocess.run([sys.executable, str(script), str(marker)], check=True)
    end = time.time()
    return float(marker.read_text()) - start, end - start


def _job(script: Path, marker: Path) -> tuple[float, float]:
    from jupyter_ext import Estimator

    estimator = Estimator(str(script.name), source_dir=str(script.parent), hyperparameters={"marker": str(marker)})
    start = time.time()
    with contextlib.redirect_stdout(io.StringIO()):
        estimator.fit(logs=False)
    end = time.time()
    return float(marker.read_text()) - start, end - start


def _list_jobs(count: int, repeats: int) -> float:
    from jupyter_ext import list_jobs
    from jupyter_ext.store import get_store

    store = get_store()
    now = time.time()
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO jobs (name, job_type, status, created_at, last_modified, executor, job_dir, spec)"
            " VALUES (?, 'Training', 'Completed', ?, ?, 'local', '', '{}')",
            [(f"bulk-{i:05d}", now - i, now - i) for i in range(count)],
        )
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        jobs = list_jobs(limit=None)
        timings.append(time.perf_counter() - start)
        assert len(jobs) >= count
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        os.environ["JUPYTER_EXT_HOME"] = str(root / "home")
        os.environ["JUPYTER_EXT_DISPLAY"] = "text"
        (root / "code").mkdir()
        script = root / "code" / "first_line.py"
        script.write_text(SCRIPT)
        plain, job = [], []
        for run in range(args.runs + 1):  # the first run warms caches and is dropped
            p, j = _plain(script, root / f"p{run}"), _job(script, root / f"j{run}")
            if run:
                plain.append(p)
                job.append(j)
        listing = _list_jobs(10_000, 10)
    first_plain, end_plain = (statistics.median(x[i] for x in plain) for i in (0, 1))
    first_job, end_job = (statistics.median(x[i] for x in job) for i in (0, 1))
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"runs: {args.runs} (median); baseline: the same script under plain python")
    print(f"to first line : plain {first_plain * 1000:7.1f} ms   job {first_job * 1000:7.1f} ms   "
          f"overhead {(first_job - first_plain) * 1000:7.1f} ms   ratio {first_job / first_plain:5.2f}x")
    print(f"to Completed  : plain {end_plain * 1000:7.1f} ms   job {end_job * 1000:7.1f} ms   "
          f"overhead {(end_job - end_plain) * 1000:7.1f} ms   ratio {end_job / end_plain:5.2f}x")
    print(f"list 10,000 jobs: {listing * 1000:.1f} ms (target < 50 ms)")
    ok = end_job - end_plain < 0.3 and first_job - first_plain < 0.3 and listing < 0.05
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()
