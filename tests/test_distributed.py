"""Several-host training jobs (instance_count, distribution): real processes per host."""

from __future__ import annotations

import tarfile
import time
from pathlib import Path

import pytest

from conftest import wait_until
from jupyter_ext import Estimator, TrainingInput, UnexpectedStatusError
from jupyter_ext.errors import ValidationError

# Each host all-reduces its gradients and prints a checksum of them: DDP's hosts agree.
DDP = """
import hashlib, json, os
import torch, torch.distributed as dist
dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
torch.manual_seed(rank)
model = torch.nn.Linear(4, 1)
for p in model.parameters():
    dist.broadcast(p.data, 0)
model(torch.randn(8, 4)).pow(2).mean().backward()
for p in model.parameters():
    dist.all_reduce(p.grad)
    p.grad /= world
digest = hashlib.sha256(b"".join(p.grad.numpy().tobytes() for p in model.parameters())).hexdigest()[:16]
host = os.environ["SM_CURRENT_HOST"]
config = json.load(open("/opt/ml/input/config/resourceconfig.json"))
print(f"rank {rank} of {world} checksum {digest} config {config['current_host']} {config['hosts']}")
print("files", ",".join(sorted(os.listdir(os.environ["SM_CHANNEL_TRAIN"]))), "local", os.environ["LOCAL_RANK"])
with open(os.path.join(os.environ["SM_MODEL_DIR"], "host.txt"), "w") as f:
    f.write(host)
dist.barrier()  # both ranks done before either leaves the group (else gloo may abort the slower one)
dist.destroy_process_group()
"""


def _lines(job) -> list[str]:
    return [line.message for line in job.read_log().lines]


def test_two_hosts_train_with_ddp_and_the_model_comes_from_algo_1(script, tmp_path: Path) -> None:
    script(DDP)
    (tmp_path / "data").mkdir()
    for i in range(4):
        (tmp_path / "data" / f"part-{i}.csv").write_text(f"{i}\n")
    est = Estimator("train.py", instance_count=2, distribution={"torch_distributed": {"enabled": True}})
    est.fit({"train": TrainingInput(str(tmp_path / "data"), distribution="ShardedByS3Key")}, logs=False)

    lines = _lines(est.latest_training_job)
    checksums = {line.split("checksum ")[1].split()[0] for line in lines if "checksum" in line}
    assert len(checksums) == 1, lines  # both hosts hold the same all-reduced gradients
    assert any(line.startswith("[algo-1] rank 0 of 2") and "config algo-1 ['algo-1', 'algo-2']" in line
               for line in lines), lines
    assert any(line.startswith("[algo-2] rank 1 of 2") and "config algo-2" in line for line in lines), lines
    # ShardedByS3Key deals the files out to the hosts in turn.
    assert "[algo-1] files part-0.csv,part-2.csv local 0" in lines and "[algo-2] files part-1.csv,part-3.csv local 0" in lines
    with tarfile.open(est.model_data) as tar:
        assert tar.extractfile("host.txt").read() == b"algo-1"
    assert est.latest_training_job.spec().record["instance_count"] == 2


def test_a_failing_host_fails_the_job_with_its_error_and_stops_the_others(script) -> None:
    script("""
import os, sys, time
if os.environ["SM_CURRENT_HOST"] == "algo-2":
    sys.exit("algo-2 cannot read its shard")
time.sleep(120)
""")
    est = Estimator("train.py", instance_count=2)
    began = time.monotonic()
    with pytest.raises(UnexpectedStatusError):
        est.fit(logs=False)
    description = est.latest_training_job.describe()
    assert description.status == "Failed" and time.monotonic() - began < 60
    assert description.failure_reason.startswith("algo-2: ") and "cannot read its shard" in description.failure_reason


def test_stop_reaches_every_host(script) -> None:
    script("""
import os, signal, sys, time
def stop(*_):
    print("stopping", os.environ["SM_CURRENT_HOST"], flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print("ready", flush=True)
time.sleep(120)
""")
    job = Estimator("train.py", instance_count=3).start()
    wait_until(lambda: sum("ready" in line for line in _lines(job)) == 3, 60, "three hosts ready")
    job.stop()
    wait_until(lambda: job.describe().status == "Stopped", 60, "the job stopped")
    assert {f"[algo-{i}] stopping algo-{i}" for i in (1, 2, 3)} <= set(_lines(job))


@pytest.mark.parametrize("distribution, message", [
    ({"mpi": {"enabled": True}}, "'mpi' needs SageMaker's GPU containers"),
    ({"torch_distributd": {"enabled": True}}, "'torch_distributd' is not a distribution"),
])
def test_distributions_this_machine_cannot_run_are_named(script, distribution, message) -> None:
    script("print(1)")
    with pytest.raises(ValidationError, match=message):
        Estimator("train.py", instance_count=2, distribution=distribution)
    with pytest.raises(ValidationError, match="instance_count must be a whole number >= 1"):
        Estimator("train.py", instance_count=0)
