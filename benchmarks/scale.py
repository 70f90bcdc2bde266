"""Beyond one process: what a second instance buys, measured on this machine.

    python benchmarks/scale.py [--seconds 3] [--rounds 5] [--clients 4] [--cpu-ms 3] [--trials 8] [--trial-seconds 3]

Tuning trials on a Ray cluster of one node against two: a tuning job of `--trials`
one-thread trials (each a CPU-bound loop of `--trial-seconds` s), all allowed at once, on a
Ray cluster (Ray's own `Cluster`, on this machine) whose head runs nothing and whose
workers offer one CPU each: one worker node, then two; the figure is the wall-time ratio.

Endpoint throughput with 1 against 2 instances: two endpoints serve the same model, whose
predict costs `--cpu-ms` ms of CPU (a busy loop on the process clock, one thread), one
endpoint with `initial_instance_count=1` and one with 2. `--clients` keep-alive HTTP
clients post one record each for `--seconds`; rounds alternate the endpoints, and the
ratio of throughputs is taken per round (the same minute of machine load), then its
median. On a machine with two free cores the ratio approaches 2 less the cost of the
endpoint process and the clients, which share those cores. The machine's load average
(os.getloadavg) is printed before, during and after, as other work on the machine moves
the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import http.client
import os
import statistics
import tempfile
import textwrap
import threading
import time
from pathlib import Path

BUSY = textwrap.dedent('''
    import time

    CPU_SECONDS = {cpu_seconds}

    def model_fn(model_dir):
        return None

    def predict_fn(data, model):
        end = time.process_time() + CPU_SECONDS  # CPU time, so a busy machine does not shorten it
        while time.process_time() < end:
            pass
        return [1] * len(data)
''')
ROW = b"[[0.1, 0.2, 0.3]]"


BUSY_TRIAL = """import argparse, time
p = argparse.ArgumentParser(); p.add_argument("-x", type=float); p.add_argument("--seconds", type=float); a = p.parse_args()
end, n = time.process_time() + a.seconds, 0
while time.process_time() < end:
    n += 1
print(f"score: {-(a.x - 3) ** 2}")
"""


def _quiet(function, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args, **kwargs)


def trials_on(nodes: int, folder: Path, trials: int, seconds: float) -> tuple[float, int]:
    """Wall seconds of one tuning job on a cluster of `nodes` one-CPU workers, and how many
    distinct nodes its trials ran on."""
    from ray.cluster_utils import Cluster

    from jupyter_ext import ContinuousParameter, Estimator, HyperparameterTuner, describe_job

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "node_ip_address": "127.0.0.1",
                                                            "include_dashboard": False})
    try:
        for _ in range(nodes):
            cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
        cluster.wait_for_nodes()
        os.environ["RAY_ADDRESS"] = cluster.address
        est = Estimator(str(folder / "busy_trial.py"), instance_type="ray", hyperparameters={"seconds": seconds},
                        metric_definitions=[{"Name": "score", "Regex": "score: (\\S+)"}])
        tuner = HyperparameterTuner(est, "score", {"x": ContinuousParameter(0, 6)}, strategy="Random",
                                    max_jobs=trials, max_parallel_jobs=trials, random_seed=0)
        start = time.perf_counter()
        _quiet(tuner.fit, logs=False)
        wall = time.perf_counter() - start
        children = describe_job(tuner.latest_tuning_job.name).children
        where = {host["where"] for child in children for host in describe_job(child).hosts}
        return wall, len(where)
    finally:
        os.environ.pop("RAY_ADDRESS", None)
        cluster.shutdown()


def _load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _client(port: int, token: str, until: float, latencies: list[float], failures: list[int]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    while time.perf_counter() < until:
        started = time.perf_counter()
        connection.request("POST", "/invocations", body=ROW, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            failures.append(response.status)
    connection.close()


def _traffic(port: int, token: str, seconds: float, clients: int) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, failed requests) of `clients` clients for `seconds`."""
    latencies: list[float] = []
    failures: list[int] = []
    until = time.perf_counter() + seconds
    threads = [threading.Thread(target=_client, args=(port, token, until, latencies, failures))
               for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)
    return (len(ordered) / seconds, ordered[len(ordered) // 2] * 1000, ordered[int(len(ordered) * 0.99)] * 1000,
            len(failures))


def endpoint_throughput(args: argparse.Namespace, folder: Path) -> bool:
    """Print requests/s of an endpoint with 1 and with 2 instances and their ratio; whether
    every request succeeded."""
    from jupyter_ext.serving import Model, delete_endpoint, describe_endpoint, endpoint_token

    code = folder / "busy"
    code.mkdir()
    (code / "busy.py").write_text(BUSY.format(cpu_seconds=args.cpu_ms / 1000))
    model = Model(str(code / "busy.py"), entry_point="busy.py", source_dir=str(code), name="busy")
    servers = {}
    for count in (1, 2):
        started = time.perf_counter()
        name = model.deploy(f"scale-{count}", initial_instance_count=count).endpoint_name
        servers[count] = (describe_endpoint(name).port, endpoint_token(name))
        print(f"endpoint with {count} instance{'s' if count > 1 else ''} InService in "
              f"{time.perf_counter() - started:.2f} s")
    try:
        for port, token in servers.values():
            _traffic(port, token, 0.5, args.clients)  # warm up
        rounds: dict[int, list[tuple[float, float, float, int]]] = {1: [], 2: []}
        loads = []
        for _ in range(args.rounds):
            for count, (port, token) in servers.items():
                rounds[count].append(_traffic(port, token, args.seconds, args.clients))
            loads.append(os.getloadavg()[0])
    finally:
        for count in servers:
            delete_endpoint(f"scale-{count}")
    for count, runs in rounds.items():
        rps, p50, p99 = (statistics.median(r[i] for r in runs) for i in range(3))
        print(f"{count} instance{'s' if count > 1 else ' '}  {rps:7.1f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   "
              f"failed {sum(r[3] for r in runs)}")
    ratios = [two[0] / one[0] for one, two in zip(rounds[1], rounds[2])]
    print(f"2 instances / 1 instance: {statistics.median(ratios):.2f}x throughput (rounds: "
          f"{' '.join(f'{r:.2f}' for r in ratios)}); 1-minute load during the rounds {min(loads):.2f} to "
          f"{max(loads):.2f}")
    return all(r[3] == 0 for runs in rounds.values() for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--cpu-ms", type=float, default=3.0, help="CPU time of one predict, in ms")
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--trial-seconds", type=float, default=3.0)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    print(f"machine: {os.cpu_count()} cores, load average {_load_average()} (before)")
    ok = True
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        os.environ["JUPYTER_EXT_HOME"] = str(folder / "home")
        print(f"\n== endpoint throughput with 1 against 2 instances ({args.clients} clients, predict "
              f"{args.cpu_ms:g} ms of CPU, {args.rounds} rounds of {args.seconds:g} s, median round)")
        ok = endpoint_throughput(args, folder) and ok
        print(f"\n== {args.trials} one-thread tuning trials of {args.trial_seconds:g} s CPU on Ray, all allowed at once")
        (folder / "busy_trial.py").write_text(BUSY_TRIAL)
        one, one_nodes = trials_on(1, folder, args.trials, args.trial_seconds)
        two, two_nodes = trials_on(2, folder, args.trials, args.trial_seconds)
        print(f"  1 node : {one:6.1f} s wall (trials on {one_nodes} node)")
        print(f"  2 nodes: {two:6.1f} s wall (trials on {two_nodes} nodes)")
        print(f"  ratio 1 node / 2 nodes: {one / two:.2f}x (ideal 2.00x; each trial's Ray start is in both)")
    print(f"\nmachine: load average {_load_average()} (after)")
    print("every request answered" if ok else "SOME REQUESTS FAILED")


if __name__ == "__main__":
    main()
