"""Endpoint throughput and latency against a minimal FastAPI app serving the same model.

    python benchmarks/serving.py [--seconds 2] [--rounds 7] [--clients 4]

For a scikit-learn model (logistic regression, 8 features) and a small torch model
(TorchScript MLP 8-32-1) we measure, with `--clients` keep-alive HTTP clients posting one
JSON record each for `--seconds`: requests per second and p50/p99 latency of (a) a
jupyter_ext endpoint, (b) the baseline — a minimal FastAPI app (`async def` route, the
model called inline, the same uvicorn and the same socket options) — and (c) the
jupyter_ext endpoint with data capture at 100% sampling. Rounds alternate a/b/c; ratios
are taken per round (the same machine load) and their median is reported, with each
server's CPU time per request (steadier than throughput on a shared machine; an
endpoint's includes its instance process's). Targets: (a) at least 0.9x (b)'s
throughput; (c) costs under 10% of (a)'s throughput. The machine load is printed with
the figures.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

BASELINE = textwrap.dedent('''
    import json, socket, sys
    import numpy, uvicorn
    from fastapi import FastAPI, Request, Response

    kind, path, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if kind == "torch":
        import torch
        model = torch.jit.load(path).eval()
        def predict(rows):
            with torch.no_grad():
                return model(torch.as_tensor(numpy.asarray(rows, dtype="float32"))).numpy().tolist()
    else:
        import joblib
        model = joblib.load(path)
        def predict(rows):
            return model.predict(numpy.asarray(rows)).tolist()

    app = FastAPI()

    @app.get("/ping")
    async def ping():
        return Response(b"")

    @app.post("/invocations")
    async def invocations(request: Request):
        return Response(json.dumps(predict(json.loads(await request.body()))), media_type="application/json")

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")).run(sockets=[sock])
''')
ROW = b"[[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]]"
PINNED = (os.cpu_count() or 1) >= 2 and hasattr(os, "sched_setaffinity")


def _models(folder: Path) -> dict[str, Path]:
    import joblib
    import numpy
    import torch
    from sklearn.linear_model import LogisticRegression

    rng = numpy.random.RandomState(0)
    x = rng.rand(500, 8)
    joblib.dump(LogisticRegression().fit(x, x[:, 0] > 0.5), folder / "model.joblib")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    torch.jit.save(torch.jit.script(net), folder / "model.pt")
    return {"scikit-learn": folder / "model.joblib", "torch": folder / "model.pt"}


def _client(port: int, until: float, latencies: list[float], failures: list[int], token: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "Accept": "application/json", "Authorization": f"Bearer {token}"}
    while time.perf_counter() < until:
        started = time.perf_counter()
        connection.request("POST", "/invocations", body=ROW, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            failures.append(response.status)
    connection.close()


def _load(port: int, seconds: float, clients: int, pid: int, token: str) -> tuple[float, float, float, int, float]:
    """(requests/s, p50 ms, p99 ms, failures, server CPU ms per request) of `clients`
    clients for `seconds`, each request carrying the endpoint's invoke `token` (the
    baseline ignores it)."""
    import psutil

    server = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]  # with the endpoint's instances
    cpu = sum(sum(process.cpu_times()[:2]) for process in server)
    latencies: list[float] = []
    failures: list[int] = []
    until = time.perf_counter() + seconds
    threads = [threading.Thread(target=_client, args=(port, until, latencies, failures, token)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)
    cpu_ms = (sum(sum(process.cpu_times()[:2]) for process in server) - cpu) * 1000 / max(1, len(ordered))
    return (len(ordered) / seconds, ordered[len(ordered) // 2] * 1000, ordered[int(len(ordered) * 0.99)] * 1000,
            len(failures), cpu_ms)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _baseline(kind: str, path: Path, folder: Path) -> tuple[subprocess.Popen, int]:
    (folder / "baseline.py").write_text(BASELINE)
    port = _free_port()
    process = subprocess.Popen([sys.executable, str(folder / "baseline.py"), kind, str(path), str(port)])
    deadline = time.monotonic() + 120
    while True:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/ping")
            return process, port
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("the baseline app did not start")
            time.sleep(0.1)


def _pin(pid: int, cpus: set[int]) -> None:
    """Every thread of process `pid` and of its children (an endpoint's instances) on `cpus`
    (Linux keeps an affinity per thread)."""
    import psutil

    for process in [pid, *(child.pid for child in psutil.Process(pid).children(recursive=True))]:
        for task in Path(f"/proc/{process}/task").iterdir():
            os.sched_setaffinity(int(task.name), cpus)


def _bench(kind: str, path: Path, folder: Path, args: argparse.Namespace) -> dict[str, list[tuple]]:
    from jupyter_ext.serving import DataCaptureConfig, Model, delete_endpoint, describe_endpoint, endpoint_token

    model = Model(str(path))
    ours = describe_endpoint(model.deploy(f"bench-{kind.replace('-', '')}").endpoint_name)
    capture = DataCaptureConfig(sampling_percentage=100, destination_s3_uri=str(folder / "capture"))
    captured = describe_endpoint(model.deploy(f"bench-{kind.replace('-', '')}-capture",
                                              data_capture_config=capture).endpoint_name)
    process, baseline = _baseline("torch" if kind == "torch" else "sklearn", path, folder)
    try:
        servers = {"jupyter_ext": (ours.port, ours.pid, endpoint_token(ours.name)),
                   "baseline": (baseline, process.pid, ""),
                   "capture": (captured.port, captured.pid, endpoint_token(captured.name))}
        if PINNED:  # servers on core 0, the clients on the others: they no longer trade places
            for _port, pid, _token in servers.values():
                _pin(pid, {0})
            _pin(os.getpid(), set(range(1, os.cpu_count() or 2)))
        for port, pid, token in servers.values():
            _load(port, 0.5, args.clients, pid, token)  # warm up
        rounds: dict[str, list[tuple]] = {name: [] for name in servers}
        for _ in range(args.rounds):
            for name, (port, pid, token) in servers.items():
                rounds[name].append(_load(port, args.seconds, args.clients, pid, token))
        return rounds
    finally:
        process.terminate()
        process.wait()
        for name in (f"bench-{kind.replace('-', '')}", f"bench-{kind.replace('-', '')}-capture"):
            delete_endpoint(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (before)")
    print(f"{args.clients} clients, {args.rounds} rounds of {args.seconds:g} s each (median round); one record per request"
          + ("; servers pinned to core 0, clients to the others" if PINNED else ""))
    met = True
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        os.environ["JUPYTER_EXT_HOME"] = str(folder / "home")
        for kind, path in _models(folder).items():
            rounds = _bench(kind, path, folder, args)
            for name, runs in rounds.items():
                rps, p50, p99, cpu = (statistics.median(r[i] for r in runs) for i in (0, 1, 2, 4))
                print(f"{kind:12s} {name:12s} {rps:8.0f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   "
                      f"server CPU {cpu:5.3f} ms/request   failed {sum(r[3] for r in runs)}")
            # Paired per round (the same minute of machine load), then the median.
            ratio = statistics.median(a[0] / b[0] for a, b in zip(rounds["jupyter_ext"], rounds["baseline"]))
            cost = statistics.median(1 - c[0] / a[0] for a, c in zip(rounds["jupyter_ext"], rounds["capture"]))
            cpu_cost = statistics.median(c[4] / a[4] - 1 for a, c in zip(rounds["jupyter_ext"], rounds["capture"]))
            print(f"{kind:12s} throughput vs baseline {ratio:.2f}x (target >= 0.9); data capture at 100% costs "
                  f"{cost * 100:.1f}% of throughput (target < 10%), {cpu_cost * 100:.1f}% more server CPU per request")
            met = met and ratio >= 0.9 and cost < 0.10
    load = os.getloadavg()
    print(f"machine: load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (after)")
    print("targets met" if met else "TARGETS MISSED")


if __name__ == "__main__":
    main()
