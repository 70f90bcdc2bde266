"""Livy gateway overhead: statement round trip against pyspark directly, and session start.

    python benchmarks/livy.py [--statements 30] [--master local[1]]

Runs the same code (a trivial expression and a small Spark job) N times through the
embedded gateway (LivyClient: POST the statement, poll until available) and N times on a
pyspark SparkSession in this process, in the same run; reports medians and the added
time per statement (target: under 50 ms). Also the time from POST /sessions to idle.
The machine's load is printed: on a shared 2-core machine, timings vary.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

CODES = {"trivial": "1 + 1", "spark job": "sc.parallelize(range(1000), 2).map(lambda x: x * x).sum()"}
FAST = {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "1", "spark.ui.showConsoleProgress": "false"}


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _through_gateway(master: str, count: int) -> tuple[float, dict[str, list[float]]]:
    from jupyter_ext.spark import LivyClient, LivyGateway

    with LivyGateway(port=0, master=master, conf=FAST) as gateway:
        client = LivyClient(gateway.url)
        started = time.perf_counter()
        session = client.create_session("pyspark")
        client.wait_for_session(session["id"])
        start_seconds = time.perf_counter() - started
        timings: dict[str, list[float]] = {}
        for name, code in CODES.items():
            client.run(session["id"], code)  # warm-up
            for _ in range(count):
                begin = time.perf_counter()
                output = client.run(session["id"], code)
                timings.setdefault(name, []).append(time.perf_counter() - begin)
                assert output["status"] == "ok", output
        client.delete_session(session["id"])
    return start_seconds, timings


def _directly(master: str, count: int) -> tuple[float, dict[str, list[float]]]:
    from pyspark.sql import SparkSession

    started = time.perf_counter()
    builder = SparkSession.builder.master(master).appName("direct")
    for key, value in FAST.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    start_seconds = time.perf_counter() - started
    namespace = {"sc": spark.sparkContext, "spark": spark}
    timings: dict[str, list[float]] = {}
    for name, code in CODES.items():
        eval(code, namespace)  # warm-up
        for _ in range(count):
            begin = time.perf_counter()
            eval(code, namespace)
            timings.setdefault(name, []).append(time.perf_counter() - begin)
    spark.stop()
    return start_seconds, timings


def main() -> None:
    """Measure and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=30)
    parser.add_argument("--master", default="local[1]")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.statements} statements each")
    gateway_start, gateway = _through_gateway(args.master, args.statements)
    direct_start, direct = _directly(args.master, args.statements)
    print(f"session start: gateway {gateway_start:.1f} s (POST /sessions to idle, own JVM); "
          f"pyspark directly {direct_start:.1f} s")
    for name in CODES:
        through, plain = _median_ms(gateway[name]), _median_ms(direct[name])
        verdict = "OK" if through - plain < 50 else "over the 50 ms target"
        print(f"{name:10s} gateway {through:7.1f} ms  direct {plain:7.1f} ms  added {through - plain:6.1f} ms  ({verdict})")


if __name__ == "__main__":
    main()
