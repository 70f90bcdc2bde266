"""The local AWS endpoint through boto3, against the same work done in-process.

    python benchmarks/aws_api.py [--calls 200] [--runs 5] [--mb 100]

The endpoint (`jupyter-ext aws serve --port 0`) runs in a process of its own with a home
of its own; this process is a plain boto3 client with `jupyter-ext aws env`'s variables,
and reads the same home for the baselines. We measure:

1. DescribeTrainingJob, `--calls` round trips (p50/p99), against `jupyter_ext.describe_job`
   of the same job in-process, the two interleaved call by call; the added milliseconds
   per call (target: under 10 ms p50), the ratio, and the CPU the boto3 client and the
   endpoint spend per call. ListTrainingJobs (MaxResults=10) p50 against
   `list_jobs(type="Training", limit=10)`.
2. CreateTrainingJob as SageMaker's SDK sends it (a sourcedir.tar.gz put into the local S3
   with boto3 first, `sagemaker_program`/`sagemaker_submit_directory` JSON-encoded, a
   scikit-learn framework image, output to s3://bucket/out) to the first
   DescribeTrainingJob saying InProgress/Training and to Completed, against
   `Estimator(...).start()` then `Job(name).wait()` in-process; both poll every 10 ms;
   medians over `--runs` runs of each, alternating.
3. S3 put and get of a `--mb` MB object (boto3 `upload_file`/`download_file` through
   rclone's `serve s3`; the get also as one GET, not boto3's default 8 MB ranged parts)
   against `shutil.copyfile` of the same file on the same disk; MB/s and the ratio, median
   of 3 rounds (each transfer after an `os.sync()`, so none pays for the writeback of
   another). The big files are deleted afterwards.

The machine load is printed with the figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BUCKET = "bench"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
POLL = 0.01
SCRIPT = """import os
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as out:
    out.write("trained")
"""
ROUNDS = 3


def _wait_for(condition: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {seconds:g} s waiting for {what}")
        time.sleep(0.05)
    return result


@contextmanager
def _endpoint(home: Path) -> Iterator[tuple[dict[str, str], int]]:
    """`jupyter-ext aws serve --port 0` in its own process with `home`; yields `aws env`'s
    variables and the server's pid."""
    env = {**os.environ, "JUPYTER_EXT_HOME": str(home)}
    env.pop("JUPYTER_EXT_AWS", None)
    home.mkdir(parents=True)
    with open(home / "serve.log", "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "jupyter_ext.cli", "aws", "serve", "--port", "0",
                                   "--record-state"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=home)
        try:
            state = home / "aws" / "service.json"
            _wait_for(lambda: state.is_file() or server.poll() is not None, 60, "the AWS endpoint to start")
            if server.poll() is not None:
                raise RuntimeError(f"jupyter-ext aws serve exited: {(home / 'serve.log').read_text()}")
            printed = subprocess.run([sys.executable, "-m", "jupyter_ext.cli", "aws", "env"], env=env, text=True,
                                     capture_output=True, check=True).stdout
            variables = {}
            for line in printed.splitlines():
                name, _, value = line.removeprefix("export ").partition("=")
                variables[name] = value.strip("'")
            yield variables, server.pid
        finally:
            server.terminate()
            server.wait(30)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _round_trips(sagemaker: Any, name: str, calls: int, server_pid: int) -> dict[str, list[float]]:
    """Seconds per call of DescribeTrainingJob / ListTrainingJobs and their in-process twins,
    interleaved; with the CPU seconds this client and the server spend per DescribeTrainingJob."""
    import psutil

    from jupyter_ext import describe_job, list_jobs

    server = psutil.Process(server_pid)
    pairs = {
        "describe_api": lambda: sagemaker.describe_training_job(TrainingJobName=name),
        "describe_py": lambda: describe_job(name),
        "list_api": lambda: sagemaker.list_training_jobs(MaxResults=10),
        "list_py": lambda: list_jobs(type="Training", limit=10),
    }
    for call in pairs.values():  # warm up: connections, imports, caches
        call()
    timings: dict[str, list[float]] = {key: [] for key in (*pairs, "client_cpu", "server_cpu")}
    for _ in range(calls):
        for key, call in pairs.items():
            cpu, server_cpu = time.process_time(), sum(server.cpu_times()[:2])
            timings[key].append(_timed(call))
            if key == "describe_api":
                timings["client_cpu"].append(time.process_time() - cpu)
                timings["server_cpu"].append(sum(server.cpu_times()[:2]) - server_cpu)
    return timings


def _sourcedir(folder: Path) -> bytes:
    """The SDK's sourcedir.tar.gz of the tiny script."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(folder / "train.py", arcname="train.py")
    return buffer.getvalue()


def _request(name: str, code_uri: str) -> dict[str, Any]:
    """CreateTrainingJob's parameters as SDK v2's SKLearn estimator sends them."""
    hyperparameters = {"sagemaker_program": "train.py", "sagemaker_submit_directory": code_uri,
                       "sagemaker_container_log_level": 20, "sagemaker_region": "us-east-1"}
    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        "RoleArn": "arn:aws:iam::000000000000:role/bench",
        "HyperParameters": {k: json.dumps(v) for k, v in hyperparameters.items()},
        "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/out"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
    }


def _until_training(describe: Callable[[], tuple[str, str]], start: float) -> float:
    """Seconds from `start` to the first description saying InProgress with secondary status
    Training (or later, had a poll missed it), polling every POLL s."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status, secondary = describe()
        if status != "InProgress" or secondary not in ("Starting", "Downloading"):
            if status in ("Failed", "Stopped"):
                raise RuntimeError(f"the job ended {status}")
            return time.perf_counter() - start
        time.sleep(POLL)
    raise RuntimeError("the job did not reach Training within 120 s")


def _api_job(s3: Any, sagemaker: Any, code: Path, run: int) -> tuple[float, float, float]:
    """(tarball put, to Training, to Completed) seconds of one CreateTrainingJob; the clock
    starts at the call (the SDK puts the tarball before it)."""
    name = f"bench-api-{run}"
    key = f"{name}/source/sourcedir.tar.gz"
    put = _timed(lambda: s3.put_object(Bucket=BUCKET, Key=key, Body=_sourcedir(code)))

    def describe() -> tuple[str, str]:
        answer = sagemaker.describe_training_job(TrainingJobName=name)
        return answer["TrainingJobStatus"], answer["SecondaryStatus"]
    start = time.perf_counter()
    sagemaker.create_training_job(**_request(name, f"s3://{BUCKET}/{key}"))
    training = _until_training(describe, start)
    deadline = time.monotonic() + 120
    while (status := describe()[0]) in ("InProgress", "Stopping"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not end within 120 s")
        time.sleep(POLL)
    if status != "Completed":
        raise RuntimeError(f"{name} ended {status}")
    return put, training, time.perf_counter() - start


def _python_job(code: Path, run: int) -> tuple[float, float]:
    """(to Training, to Completed) seconds of the same script as an Estimator job in-process."""
    from jupyter_ext import Estimator, Job, describe_job

    name = f"bench-py-{run}"

    def describe() -> tuple[str, str]:
        description = describe_job(name)
        status = "InProgress" if description.status == "Pending" else description.status
        return status, description.secondary_status or "Starting"
    start = time.perf_counter()
    estimator = Estimator("train.py", source_dir=str(code), instance_type="ml.m5.large",
                          output_path=f"s3://{BUCKET}/out", base_job_name=name)
    job = estimator.start(job_name=name)
    training = _until_training(describe, start)
    Job(job.name).wait(poll=POLL)  # raises unless Completed
    return training, time.perf_counter() - start


def _jobs(s3: Any, sagemaker: Any, code: Path, runs: int) -> dict[str, list[float]]:
    """Per-run seconds of both ways to run the job, alternating; the first pair warms up and is dropped."""
    results: dict[str, list[float]] = {"put": [], "api_training": [], "api_completed": [], "py_training": [],
                                       "py_completed": []}
    for run in range(runs + 1):
        put, api_training, api_completed = _api_job(s3, sagemaker, code, run)
        py_training, py_completed = _python_job(code, run)
        if run:
            for key, value in zip(results, (put, api_training, api_completed, py_training, py_completed)):
                results[key].append(value)
    return results


def _big_file(path: Path, mb: int) -> None:
    """`mb` MB of random bytes (nothing for a transport to compress)."""
    with open(path, "wb") as out:
        for _ in range(mb):
            out.write(os.urandom(1 << 20))


def _transfers(s3: Any, root: Path, home: Path, mb: int) -> dict[str, list[float]]:
    """Seconds per round of S3 put/get through the endpoint (get twice: boto3's default ranged
    parts, and one GET) and of plain file copies of the same file."""
    from boto3.s3.transfer import TransferConfig

    one_request = TransferConfig(multipart_threshold=1 << 40)
    source, key = root / "big.bin", "big/big.bin"
    stored = home / "s3" / BUCKET / key  # where rclone keeps the object: the get baseline copies it
    _big_file(source, mb)
    timings: dict[str, list[float]] = {"put_api": [], "put_copy": [], "get_api": [], "get_api_one": [],
                                       "get_copy": []}
    try:
        for _ in range(ROUNDS):
            for kind, move in (("put_api", lambda: s3.upload_file(str(source), BUCKET, key)),
                               ("put_copy", lambda: shutil.copyfile(source, root / "put-copy.bin")),
                               ("get_api", lambda: s3.download_file(BUCKET, key, str(root / "got.bin"))),
                               ("get_api_one", lambda: s3.download_file(BUCKET, key, str(root / "got.bin"),
                                                                        Config=one_request)),
                               ("get_copy", lambda: shutil.copyfile(stored, root / "get-copy.bin"))):
                os.sync()  # each starts with no dirty pages of the one before to write back
                timings[kind].append(_timed(move))
            for path in (root / "got.bin", root / "put-copy.bin", root / "get-copy.bin", stored):
                if path.stat().st_size != mb << 20:
                    raise RuntimeError(f"{path} has {path.stat().st_size} bytes, not {mb << 20}")
            s3.delete_object(Bucket=BUCKET, Key=key)
            for path in (root / "got.bin", root / "put-copy.bin", root / "get-copy.bin"):
                path.unlink()
    finally:
        for path in (source, stored, root / "got.bin", root / "put-copy.bin", root / "get-copy.bin"):
            path.unlink(missing_ok=True)
    return timings


def _clients(variables: dict[str, str]) -> tuple[Any, Any]:
    """boto3's S3 and SageMaker clients with the endpoint's variables (this process's environment)."""
    import boto3

    os.environ.update(variables)
    session = boto3.session.Session()
    s3, sagemaker = session.client("s3"), session.client("sagemaker")
    try:
        s3.create_bucket(Bucket=BUCKET)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    return s3, sagemaker


def _load(when: str) -> str:
    load = os.getloadavg()
    return f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({when})"


def _report(calls: dict[str, list[float]], jobs: dict[str, list[float]], moves: dict[str, list[float]],
            mb: int) -> bool:
    """Print the table; True when the targets are met."""
    ms = {key: (_percentile(v, 0.5) * 1000, _percentile(v, 0.99) * 1000) for key, v in calls.items()}
    cpu = {key: statistics.mean(calls[key]) * 1000 for key in ("client_cpu", "server_cpu")}
    added = ms["describe_api"][0] - ms["describe_py"][0]
    print(f"{'':26s} {'endpoint':>11s} {'in-process':>11s} {'added':>10s} {'ratio':>7s}")
    for label, api, py in (("DescribeTrainingJob p50", "describe_api", "describe_py"),
                           ("DescribeTrainingJob p99", "describe_api", "describe_py"),
                           ("ListTrainingJobs(10) p50", "list_api", "list_py")):
        i = 1 if "p99" in label else 0
        a, b = ms[api][i], ms[py][i]
        print(f"{label:26s} {a:8.2f} ms {b:8.2f} ms {a - b:7.2f} ms {a / b:6.1f}x")
    med = {key: statistics.median(v) * 1000 for key, v in jobs.items()}
    for label, api, py in (("create to Training", "api_training", "py_training"),
                           ("create to Completed", "api_completed", "py_completed")):
        a, b = med[api], med[py]
        print(f"{label:26s} {a:8.0f} ms {b:8.0f} ms {a - b:7.0f} ms {a / b:6.2f}x")
    print(f"{'  (sourcedir.tar.gz put)':26s} {med['put']:8.1f} ms   (before CreateTrainingJob, not in its figures)")
    rate = {key: mb / statistics.median(v) for key, v in moves.items()}
    for label, api, copy in ((f"S3 put {mb} MB", "put_api", "put_copy"), (f"S3 get {mb} MB", "get_api", "get_copy"),
                             (f"S3 get {mb} MB, one GET", "get_api_one", "get_copy")):
        print(f"{label:26s} {rate[api]:6.0f} MB/s {rate[copy]:6.0f} MB/s {'':10s} {rate[api] / rate[copy]:6.2f}x")
    print(f"DescribeTrainingJob adds {added:.2f} ms per call at p50 (target < 10 ms); CPU per call: "
          f"boto3 client {cpu['client_cpu']:.2f} ms, endpoint {cpu['server_cpu']:.2f} ms (mean)")
    return added < 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=int, default=100)
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = "1"
    print(_load("before"))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="aws-bench-") as scratch:
        root = Path(scratch)
        home = root / "home"
        with _endpoint(home) as (variables, server_pid):
            os.environ.update(JUPYTER_EXT_HOME=str(home), JUPYTER_EXT_DISPLAY="text")
            os.environ.pop("JUPYTER_EXT_AWS", None)
            s3, sagemaker = _clients(variables)
            code = root / "code"
            code.mkdir()
            (code / "train.py").write_text(SCRIPT)
            jobs = _jobs(s3, sagemaker, code, args.runs)
            calls = _round_trips(sagemaker, f"bench-api-{args.runs}", args.calls, server_pid)
            moves = _transfers(s3, root, home, args.mb)
    print(f"calls: {args.calls} (interleaved); job runs: {args.runs} of each (median, polling every "
          f"{POLL * 1000:.0f} ms); transfers: {ROUNDS} rounds (median); baselines in-process, same home, same run")
    met = _report(calls, jobs, moves, args.mb)
    print(_load(f"after, {time.monotonic() - started:.0f} s"))
    print("targets met" if met else "TARGETS MISSED")


if __name__ == "__main__":
    main()
