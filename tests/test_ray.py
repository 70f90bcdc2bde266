"""Jobs on a real Ray cluster of two nodes on this machine (Ray's own `Cluster`): hosts on
different nodes, tuning trials spread over both, a node dying mid-trial, stop, AutoML
candidates and a pipeline step's job trained on the cluster."""

from __future__ import annotations

import tarfile
from collections.abc import Iterator

import psutil

import pytest

ray_cluster_utils = pytest.importorskip("ray.cluster_utils")

from conftest import taking_turns, wait_until  # noqa: E402
from jupyter_ext import AutoML, ContinuousParameter, Estimator, HyperparameterTuner, Job, describe_job, list_jobs  # noqa: E402
from jupyter_ext.jobs import records  # noqa: E402
from jupyter_ext.store import get_store  # noqa: E402
from test_distributed import DDP  # noqa: E402

# Nodes notice a dead peer within about two seconds, not Ray's default thirty.
_FAST_HEALTH_CHECKS = {"health_check_initial_delay_ms": 0, "health_check_period_ms": 500,
                       "health_check_failure_threshold": 4}


class TwoNodes:
    """A head node that runs nothing and two worker nodes of one CPU each."""

    def __init__(self) -> None:
        self.cluster = ray_cluster_utils.Cluster(initialize_head=True, head_node_args={
            "num_cpus": 0, "node_ip_address": "127.0.0.1", "include_dashboard": False,
            "_system_config": _FAST_HEALTH_CHECKS})
        self.workers = [self.add() for _ in range(2)]

    def add(self) -> object:
        node = self.cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
        self.cluster.wait_for_nodes()
        return node

    def remove(self, node_id_prefix: str) -> None:
        """Kill the worker node whose id starts with `node_id_prefix` and start another."""
        node = next(n for n in self.workers if n.node_id.startswith(node_id_prefix))
        self.cluster.remove_node(node, allow_graceful=False)
        self.workers = [n for n in self.workers if n is not node] + [self.add()]


@pytest.fixture(scope="module")
def two_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoNodes]:
    with taking_turns(tmp_path_factory, "ray"):
        nodes = TwoNodes()
        yield nodes
        nodes.cluster.shutdown()


@pytest.fixture(autouse=True)
def on_ray(two_nodes: TwoNodes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAY_ADDRESS", two_nodes.cluster.address)


def _nodes(job_name: str) -> list[str]:
    return [host["where"] for host in describe_job(job_name).hosts]


def test_two_hosts_run_on_two_nodes_and_agree(script, tmp_path) -> None:
    script(DDP)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "part-0.csv").write_text("0\n")
    est = Estimator("train.py", instance_type="ray", instance_count=2,
                    distribution={"torch_distributed": {"enabled": True}})
    est.fit({"train": str(tmp_path / "data")}, logs=False)
    job = est.latest_training_job
    lines = [line.message for line in job.read_log().lines]
    assert len({line.split("checksum ")[1].split()[0] for line in lines if "checksum" in line}) == 1, lines
    where = _nodes(job.name)
    assert len(where) == 2 and len(set(where)) == 2 and all(w.startswith("Ray node 127.0.0.1") for w in where)
    assert any("algo-2 runs on Ray node" in line for line in lines)
    with tarfile.open(est.model_data) as tar:
        assert tar.extractfile("host.txt").read() == b"algo-1"


SLOW_OBJECTIVE = """
import argparse, os, time
p = argparse.ArgumentParser(); p.add_argument("-x", type=float); a = p.parse_args()
print("started", flush=True)
time.sleep(float(os.environ.get("TRIAL_SECONDS", "1")))
print(f"score: {-(a.x - 3) ** 2}", flush=True)
"""


def test_tuning_trials_spread_over_both_nodes_and_a_dead_node_fails_only_its_trial(script, two_nodes) -> None:
    est = Estimator(str(script(SLOW_OBJECTIVE, "objective.py")), instance_type="ray",
                    metric_definitions=[{"Name": "score", "Regex": r"score: ([-0-9.e]+)"}],
                    environment={"TRIAL_SECONDS": "6"})
    tuner = HyperparameterTuner(est, "score", {"x": ContinuousParameter(0, 6)}, strategy="Random",
                                max_jobs=4, max_parallel_jobs=2, random_seed=1)
    tuner.fit(wait=False)
    parent = tuner.latest_tuning_job.name

    def two_running() -> list[str]:
        running = [c for c in describe_job(parent).children if describe_job(c).status == "InProgress"
                   and any("started" in line.message for line in Job(c).read_log().lines)]
        return running if len(running) == 2 else []

    first, second = wait_until(two_running, 120, "two trials running at once")
    nodes = {_nodes(first)[0], _nodes(second)[0]}
    assert len(nodes) == 2, nodes  # one trial on each node
    two_nodes.remove(_nodes(second)[0].split("(")[1].rstrip(")"))
    tuner.wait()
    killed = describe_job(second)
    assert killed.status == "Failed" and "Ray node" in killed.failure_reason and "died" in killed.failure_reason
    children = [describe_job(c) for c in describe_job(parent).children]
    assert len(children) == 4 and [c.status for c in children].count("Completed") == 3
    assert describe_job(parent).status == "Completed"


def test_stop_ends_a_job_on_ray_and_its_program(script) -> None:
    script("import time\nprint('ready', flush=True)\ntime.sleep(300)\n")
    job = Estimator("train.py", instance_type="ray").start()
    wait_until(lambda: any("ready" in line.message for line in job.read_log().lines), 90, "the program to start")
    program = psutil.Process(records.get_row(get_store(), job.name)["program_pid"])  # the node is this machine
    assert program.is_running()
    job.stop()
    wait_until(lambda: job.describe().status == "Stopped", 60, "the job to stop")
    wait_until(lambda: not program.is_running(), 10, "the program on its node to end")


def test_automl_candidates_train_on_the_cluster(tmp_path) -> None:
    import sklearn.datasets

    data = sklearn.datasets.load_breast_cancer(as_frame=True).frame.rename(columns={"target": "label"})
    automl = AutoML("label", max_candidates=2, algorithms=["linear"], mode="HYPERPARAMETER_TUNING",
                    total_job_runtime_in_seconds=300, instance_type="ray")
    automl.fit(data, logs=False)
    assert describe_job(automl.latest_auto_ml_job.name).status == "Completed"
    candidates = [job.name for job in list_jobs() if job.job_type == "Training"]
    assert len(candidates) == 2
    assert all(_nodes(name)[0].startswith("Ray node 127.0.0.1") for name in candidates), candidates
    assert len(automl.leaderboard()) == 2


def test_a_pipeline_steps_job_runs_where_its_estimator_says(script) -> None:
    from jupyter_ext.pipelines import Pipeline, TrainingStep

    script("print('trained on a node', flush=True)\n")
    pipeline = Pipeline("on-ray", steps=[TrainingStep("Train", Estimator("train.py", instance_type="ray"))])
    pipeline.upsert()
    execution = pipeline.start()
    execution.wait()
    job = describe_job(execution.list_steps()[0]["Metadata"]["TrainingJob"]["Name"])
    assert (job.executor, job.status, job.parent) == ("ray", "Completed", execution.job_name)
    assert describe_job(execution.job_name).executor == "local"  # the execution itself runs here
