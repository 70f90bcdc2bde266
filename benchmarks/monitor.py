"""Model Monitor baseline speed and memory against pandas on the same file.

    python benchmarks/monitor.py [--rows 2000000] [--rounds 3] [--keep]

Writes a CSV of `--rows` rows x 20 mixed columns (10 fractional, 5 integral with some
missing values, 5 categorical), then runs, each in its own process: (a) our baseline
analysis (the program a `suggest_baseline` job runs: statistics.json with KLL sketches,
constraints.json), and (b) pandas: `read_csv`, `describe(include="all")` and exact
deciles of every numeric column. Reported: wall seconds, rows per second, peak RSS of
the process (ru_maxrss), and the ratios, with the machine load before and after. Rounds
alternate (a) and (b); the ratio is taken per round (the same machine load) and the
median is reported.
Targets: (a) faster than (b), (a)'s peak memory under 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OURS = """
import sys
from jupyter_ext.monitor.run_analysis import run_analysis
run_analysis({"kind": "baseline", "dataset": sys.argv[1], "dataset_format": {"csv": {"header": True}},
              "output_path": sys.argv[2]})
"""

PANDAS = """
import sys
import pandas
frame = pandas.read_csv(sys.argv[1])
frame.describe(include="all")
frame.select_dtypes("number").quantile([i / 10 for i in range(1, 10)])
"""


def write_dataset(path: Path, rows: int) -> None:
    """`rows` x 20 mixed columns, written in slices by pyarrow (quick, bounded memory)."""
    import numpy
    import pyarrow
    import pyarrow.csv as pacsv

    random = numpy.random.RandomState(0)
    schema = None
    with open(path, "wb") as handle:
        writer = None
        for start in range(0, rows, 250_000):
            n = min(250_000, rows - start)
            columns = {f"num{i}": random.normal(i, 1 + i, n).round(4) for i in range(10)}
            for i in range(5):
                values = random.poisson(3 + i, n).astype(float)
                values[random.rand(n) < 0.02] = numpy.nan
                columns[f"int{i}"] = pyarrow.array(values, mask=numpy.isnan(values)).cast(pyarrow.int64())
            for i in range(5):
                columns[f"cat{i}"] = random.choice([f"v{j}" for j in range(3 + 5 * i)], n)
            table = pyarrow.table(columns)
            if writer is None:
                schema = table.schema
                writer = pacsv.CSVWriter(handle, schema)
            writer.write_table(table.cast(schema))
        writer.close()


def measure(program: str, *args: str) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of `python -c program args` in its own process."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", program, *args], env=env)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"benchmark process failed with status {status}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the generated CSV")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="monitor-bench-"))
    data = folder / "data.csv"
    write_dataset(data, args.rows)
    print(f"dataset: {args.rows:,} rows x 20 columns, {data.stat().st_size / 1e6:.0f} MB; "
          f"load before: {os.getloadavg()[0]:.2f} (cpus: {os.cpu_count()})", flush=True)
    results = []
    for round_number in range(1, args.rounds + 1):
        ours, ours_rss = measure(OURS, str(data), str(folder / "baseline"))
        theirs, theirs_rss = measure(PANDAS, str(data))
        results.append((theirs / ours, ours, theirs, ours_rss, theirs_rss))
        print(f"round {round_number}: jupyter_ext {ours:.1f} s ({args.rows / ours:,.0f} rows/s, peak RSS {ours_rss:.0f} MB); "
              f"pandas {theirs:.1f} s ({args.rows / theirs:,.0f} rows/s, peak RSS {theirs_rss:.0f} MB); "
              f"load {os.getloadavg()[0]:.2f}", flush=True)
    statistics = json.loads((folder / "baseline" / "statistics.json").read_text())
    assert statistics["dataset"]["item_count"] == args.rows
    ratio, ours, theirs, ours_rss, theirs_rss = sorted(results)[len(results) // 2]
    peak = max(r[3] for r in results)
    print(f"median round: jupyter_ext baseline {ours:.1f} s, {args.rows / ours:,.0f} rows/s; pandas describe + exact "
          f"quantiles {theirs:.1f} s, {args.rows / theirs:,.0f} rows/s")
    print(f"speed ratio (pandas time / ours): {ratio:.2f}x; peak RSS ours {peak:.0f} MB (max over rounds), "
          f"pandas {theirs_rss:.0f} MB; memory ratio {ours_rss / theirs_rss:.2f}")
    print(f"targets: faster than pandas: {'yes' if ratio > 1 else 'NO'}; under 1 GB: {'yes' if peak < 1024 else 'NO'}")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    if not args.keep:
        import shutil

        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
