"""Endpoints with several instances per variant, as real processes: requests spread over
the instances, an instance killed under load (through the fault hook, and by its pid) is
replaced with no failed request, scaling 1 → 2 → 1 by update under load, a scale-up whose
model fails to load, a request that kills every instance it reaches, and instances
ending with their endpoint."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
import pytest

from conftest import wait_until
from jupyter_ext.errors import ValidationError
from jupyter_ext.jobs.faults import FAULT_VARIABLE, INSTANCE_FAULT_POINTS
from jupyter_ext.jobs.process import is_alive
from jupyter_ext.serving import (
    Model, Predictor, delete_endpoint, describe_endpoint, endpoint_token, list_endpoints,
    update_endpoint_weights_and_capacities,
)
from jupyter_ext.serving import run_instance
from serving_models import script

# Each instance answers with its pid; [[-9]] kills the instance that reads it; the model
# fails to load while its code folder holds a file `refuse`.
WHO = """
    import os, signal, time

    def model_fn(model_dir):
        if os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), "refuse")):
            raise RuntimeError("refused to load")
        return os.getpid()

    def predict_fn(data, model):
        if data == [[-9]]:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.002)
        return [model] * len(data)
"""


@pytest.fixture(autouse=True)
def _no_endpoint_left(home: Path):
    """A failed test leaves no server process behind."""
    yield
    for endpoint in list_endpoints():
        delete_endpoint(endpoint.name)


@pytest.fixture
def who(tmp_path: Path) -> Model:
    """The pid-answering model: its code folder also holds its model file (the script)."""
    folder = tmp_path / "who"
    return Model(str(script(folder, "who.py", WHO)), entry_point="who.py", source_dir=str(folder), name="who")


class Traffic:
    """Client threads posting requests to an endpoint until stopped; every outcome kept."""

    def __init__(self, name: str, clients: int = 3) -> None:
        self.url, self.token = describe_endpoint(name).url, endpoint_token(name)
        self.outcomes: list[tuple[int, str]] = []
        self.lock, self.stop = threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self._run) for _ in range(clients)]

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=60, headers={"Authorization": f"Bearer {self.token}"}) as client:
            while not self.stop.is_set():
                try:
                    response = client.post("/invocations", content=b"[[1]]", headers={"Content-Type": "application/json"})
                    outcome = (response.status_code, response.text)
                except httpx.HTTPError as error:
                    outcome = (0, repr(error))
                with self.lock:
                    self.outcomes.append(outcome)

    def count(self) -> int:
        """Requests answered so far."""
        with self.lock:
            return len(self.outcomes)

    def more(self, requests: int, what: str) -> int:
        """Wait until `requests` more are answered; the count before them."""
        mark = self.count()
        wait_until(lambda: self.count() >= mark + requests, 60, what)
        return mark

    def pids(self, since: int) -> set[int]:
        """The instances (pids) that answered successfully after the first `since` requests."""
        with self.lock:
            return {int(text.strip("[]")) for status, text in self.outcomes[since:] if status == 200}

    def failures(self) -> list[tuple[int, str]]:
        """Every request that was not answered 200."""
        with self.lock:
            return [o for o in self.outcomes if o[0] != 200]


@contextmanager
def traffic(name: str) -> Iterator[Traffic]:
    """Traffic to endpoint `name` for the duration of the block."""
    load = Traffic(name)
    for thread in load.threads:
        thread.start()
    try:
        yield load
    finally:
        load.stop.set()
        for thread in load.threads:
            thread.join()


def _instances(name: str) -> dict[str, int]:
    """Instance name → pid, as DescribeEndpoint shows them."""
    return {i.instance_name: i.pid for i in describe_endpoint(name).variants[0].instances}


def test_two_instances_serve_and_a_killed_one_is_replaced_with_no_failed_request(
        who: Model, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_instance.FAULT_VARIABLE == FAULT_VARIABLE and "instance-invoked" in INSTANCE_FAULT_POINTS
    # The first instance dies (SIGKILL) on its first request, with that request in flight.
    monkeypatch.setenv(FAULT_VARIABLE, "instance-invoked:pair/AllTraffic-1")
    who.deploy("pair", initial_instance_count=2)
    variant = describe_endpoint("pair").variants[0]
    assert (variant.instance_count, variant.current_instance_count) == (2, 2)
    first = _instances("pair")
    assert sorted(first) == ["AllTraffic-1", "AllTraffic-2"]
    for pid in first.values():  # an instance listens on no port: only its endpoint reaches it
        assert psutil.Process(pid).net_connections(kind="inet") == []
    with traffic("pair") as load:
        wait_until(lambda: sorted(_instances("pair")) == ["AllTraffic-2", "AllTraffic-3"], 60,
                   "instance 1 replaced by instance 3")
        wait_until(lambda: not psutil.pid_exists(first["AllTraffic-1"]), 10, "the killed instance reaped")
        since = load.more(100, "requests after the replacement")
        wait_until(lambda: load.pids(since) == set(_instances("pair").values()), 60, "both instances answering")

        os.kill(first["AllTraffic-2"], signal.SIGKILL)  # a kill from outside, mid-traffic
        wait_until(lambda: sorted(_instances("pair")) == ["AllTraffic-3", "AllTraffic-4"], 60,
                   "instance 2 replaced by instance 4")
        since = load.more(100, "requests after the second replacement")
        wait_until(lambda: load.pids(since) == set(_instances("pair").values()), 60, "the new pair answering")
    assert load.failures() == [] and load.count() > 200  # no request failed
    assert first["AllTraffic-2"] not in load.pids(since)
    described = describe_endpoint("pair").variants[0]
    assert described.current_instance_count == 2 and described.errors_5xx == 0
    wait_until(lambda: describe_endpoint("pair").variants[0].invocations == load.count(), what="per-variant counts")
    log = Path(describe_endpoint("pair").log_path).read_text()
    assert "Instance AllTraffic-1" in log and "ended" in log


def test_scaling_one_two_one_under_load_drops_no_request(who: Model, tmp_path: Path) -> None:
    who.deploy("scaled")
    assert describe_endpoint("scaled").variants[0].current_instance_count == 1
    with traffic("scaled") as load:
        load.more(50, "traffic on one instance")
        update_endpoint_weights_and_capacities("scaled", [{"VariantName": "AllTraffic", "DesiredInstanceCount": 2}])
        variant = describe_endpoint("scaled").variants[0]
        assert (variant.instance_count, variant.current_instance_count) == (2, 2)
        since = load.more(100, "traffic on two instances")
        wait_until(lambda: load.pids(since) == set(_instances("scaled").values()), 60, "both instances answering")

        update_endpoint_weights_and_capacities("scaled", [{"VariantName": "AllTraffic", "DesiredInstanceCount": 1}])
        wait_until(lambda: describe_endpoint("scaled").variants[0].current_instance_count == 1, 30, "one instance")
        kept = set(_instances("scaled").values())
        since = load.more(100, "traffic on one instance again")
        assert load.pids(since + 6) == kept  # 6: requests in flight at the switch

        (tmp_path / "who" / "refuse").write_text("")  # a new instance cannot load the model now
        with pytest.raises(ValidationError, match="Update failed.*RuntimeError: refused to load"):
            update_endpoint_weights_and_capacities("scaled", [{"VariantName": "AllTraffic", "DesiredInstanceCount": 3}])
        variant = describe_endpoint("scaled").variants[0]
        assert (variant.instance_count, variant.current_instance_count) == (1, 1)
        assert describe_endpoint("scaled").status == "InService"
        load.more(50, "traffic after the failed update")
    assert load.failures() == []


def test_a_model_that_fails_to_load_fails_an_endpoint_of_two_instances(who: Model, tmp_path: Path) -> None:
    (tmp_path / "who" / "refuse").write_text("")
    with pytest.raises(ValidationError, match="failed to start: RuntimeError: refused to load"):
        who.deploy("refused", initial_instance_count=2)
    described = describe_endpoint("refused")
    assert described.status == "Failed" and described.failure_reason == "RuntimeError: refused to load"
    assert described.variants[0].current_instance_count == 0


def test_a_request_that_kills_every_instance_gets_a_500_and_the_rest_are_served(who: Model) -> None:
    predictor = who.deploy("poison", initial_instance_count=2)
    response = httpx.post(describe_endpoint("poison").url + "/invocations", content=b"[[-9]]",
                          headers={"Content-Type": "application/json",
                                   "Authorization": f"Bearer {endpoint_token('poison')}"}, timeout=60)
    assert response.status_code == 500 and "3 instances of variant AllTraffic died" in response.json()["Message"]
    wait_until(lambda: describe_endpoint("poison").variants[0].current_instance_count == 2, 60, "instances replaced")
    assert predictor.predict([[1]])[0] in _instances("poison").values()
    names = _instances("poison")  # 1 and 2 died, then the first of their replacements (3 or 4)
    assert len(names) == 2 and "AllTraffic-5" in names and not {"AllTraffic-1", "AllTraffic-2"} & set(names)
    wait_until(lambda: describe_endpoint("poison").variants[0].errors_5xx == 1, what="the 500 counted")


def test_instances_end_with_their_endpoint(who: Model) -> None:
    who.deploy("deleted", initial_instance_count=2)
    pids = list(_instances("deleted").values())
    delete_endpoint("deleted")
    assert not any(is_alive(pid) for pid in pids)
    who.deploy("killed", initial_instance_count=2)
    pids = list(_instances("killed").values())
    os.kill(describe_endpoint("killed").pid, signal.SIGKILL)  # the endpoint process alone
    wait_until(lambda: not any(is_alive(pid) for pid in pids), 30, "the instances ending with their endpoint")
    assert describe_endpoint("killed").status == "Failed" and describe_endpoint("killed").variants[0].instances == []
