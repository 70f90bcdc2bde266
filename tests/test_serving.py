"""Endpoints as real processes: serializers, variants, weight updates under load, data
capture, torch and pipeline models, a kernel going away, bad input."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import numpy
import pytest

from conftest import wait_until
from jupyter_ext.errors import ConflictError, NotFoundError, ValidationError
from jupyter_ext.serving import (
    CSVDeserializer, CSVSerializer, DataCaptureConfig, JSONLinesDeserializer, JSONLinesSerializer,
    JSONSerializer, Model, ModelError, NumpyDeserializer, NumpySerializer, PandasDeserializer, PipelineModel,
    Predictor, ProductionVariant, create_endpoint, delete_endpoint, describe_endpoint, endpoint_token,
    list_endpoints, update_endpoint, update_endpoint_weights_and_capacities,
)
from serving_models import CONSTANT, FEATURES, script, sklearn_model


@pytest.fixture(autouse=True)
def _no_endpoint_left(home: Path):
    """A failed test leaves no server process behind."""
    yield
    for endpoint in list_endpoints():
        delete_endpoint(endpoint.name)


@pytest.fixture
def sklearn(tmp_path: Path) -> tuple[Path, object]:
    return sklearn_model(tmp_path / "sk")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind (TIME_WAIT is no owner)
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def test_predict_through_each_serializer_with_capture(sklearn, tmp_path: Path) -> None:
    archive, local = sklearn
    rows = FEATURES[:5]
    expected = local.predict(rows).tolist()
    capture = DataCaptureConfig(sampling_percentage=100, destination_s3_uri=str(tmp_path / "captured"))
    predictor = Model(str(archive), name="clf").deploy("clf-endpoint", data_capture_config=capture)
    description = describe_endpoint("clf-endpoint")
    assert description.status == "InService" and description.url.startswith("http://127.0.0.1:")
    assert predictor.predict(rows.tolist(), inference_id="req-1") == expected  # JSON both ways
    cases = [(CSVSerializer(), CSVDeserializer(), [[str(v)] for v in expected]),
             (NumpySerializer(), NumpyDeserializer(), expected),
             (JSONLinesSerializer(), JSONLinesDeserializer(), expected),
             (CSVSerializer(), PandasDeserializer(), expected),
             (JSONSerializer(), NumpyDeserializer(), expected)]
    for serializer, deserializer, want in cases:
        other = Predictor("clf-endpoint", serializer=serializer, deserializer=deserializer)
        answer = other.predict(rows)
        got = answer[0].tolist() if hasattr(answer, "columns") else answer.tolist() if hasattr(answer, "tolist") else answer
        assert got == want, type(serializer).__name__
        assert other.last_variant == "AllTraffic"
    assert Predictor("clf-endpoint", serializer=CSVSerializer()).predict(rows[0]) == expected[:1]  # one record
    wait_until(lambda: describe_endpoint("clf-endpoint").variants[0].invocations == 7, what="traffic figures")
    port = description.port
    predictor.delete_endpoint()  # a clean shutdown: every captured record is written
    assert _port_free(port) and list_endpoints() == []
    files = sorted((tmp_path / "captured" / "clf-endpoint" / "AllTraffic").rglob("*.jsonl"))
    assert len(files[0].relative_to(tmp_path / "captured" / "clf-endpoint" / "AllTraffic").parts) == 5  # yyyy/mm/dd/hh/file
    records = [json.loads(line) for f in files for line in f.read_text().splitlines()]
    assert len(records) == 7 and all(r["eventVersion"] == "0" for r in records)
    first = next(r for r in records if r["eventMetadata"].get("inferenceId") == "req-1")
    assert first["captureData"]["endpointInput"] == {"observedContentType": "application/json", "mode": "INPUT",
                                                     "data": json.dumps(rows.tolist()), "encoding": "JSON"}
    assert json.loads(first["captureData"]["endpointOutput"]["data"]) == expected
    npy = next(r for r in records if r["captureData"]["endpointInput"]["observedContentType"] == "application/x-npy")
    assert npy["captureData"]["endpointInput"]["encoding"] == "BASE64"
    assert first["eventMetadata"]["inferenceTime"].endswith("Z") and len(first["eventMetadata"]["eventId"]) == 36


def _load(url: str, stop: threading.Event, seen: list[tuple[float, int, str]], lock: threading.Lock) -> None:
    """Post until `stop`; each outcome is (when it was sent, status, body)."""
    with httpx.Client(base_url=url, timeout=10, headers={"Authorization": f"Bearer {endpoint_token('ab')}"}) as client:
        while not stop.is_set():
            sent = time.monotonic()
            try:
                response = client.post("/invocations", content=b"[[0.9, 0.9, 0.1]]",
                                       headers={"Content-Type": "application/json"})
                outcome = (response.status_code, response.text)
            except httpx.HTTPError as error:
                outcome = (0, repr(error))
            with lock:
                seen.append((sent, *outcome))


def test_variants_split_target_and_update_under_load(sklearn, tmp_path: Path) -> None:
    archive, _local = sklearn
    model = Model(str(archive))
    create_endpoint("ab", [ProductionVariant(model, "A", 0.8), ProductionVariant(model, "B", 0.2)])
    predictor = Predictor("ab")
    counts = {"A": 0, "B": 0}
    for _ in range(1000):
        predictor.predict([[0.1, 0.2, 0.3]])
        counts[predictor.last_variant] += 1
    assert 137 <= counts["B"] <= 263, counts  # 1000 draws at p=0.2, within 5 standard deviations
    for _ in range(20):
        predictor.predict([[0.1, 0.2, 0.3]], target_variant="B")
        assert predictor.last_variant == "B"
    shares = {v.variant_name: v.traffic_share for v in describe_endpoint("ab").variants}
    assert shares == pytest.approx({"A": 0.8, "B": 0.2})

    stop, lock, seen = threading.Event(), threading.Lock(), []
    load = [threading.Thread(target=_load, args=(describe_endpoint("ab").url, stop, seen, lock)) for _ in range(4)]
    for thread in load:
        thread.start()
    try:
        wait_until(lambda: len(seen) > 100, what="load")
        update_endpoint_weights_and_capacities("ab", {"A": 0, "B": 1})
        with lock:
            mark = len(seen)
        wait_until(lambda: len(seen) > mark + 200, what="load after the weight update")
        constant = Model(str(script(tmp_path / "seven", "inference.py", CONSTANT.format(value=7))),
                         entry_point="inference.py", source_dir=str(tmp_path / "seven"), name="seven")
        update_endpoint("ab", [ProductionVariant(model, "A", 0.0), ProductionVariant(constant, "B", 1.0)])
        swapped_at = time.monotonic()
        with lock:
            swapped = len(seen)
        wait_until(lambda: len(seen) > swapped + 200, what="load after the model swap")
    finally:
        stop.set()
        for thread in load:
            thread.join()
    assert [s for s in seen if s[1] != 200] == []  # no request failed
    # Every request sent once the update returned is answered by the new model.
    after = [text for sent, _status, text in seen if sent > swapped_at]
    assert len(after) > 150 and set(after) == {"[7]"}, set(after)
    assert Predictor("ab").predict([[0.1, 0.2, 0.3]]) == [7]
    wait_until(lambda: sum(v.invocations for v in describe_endpoint("ab").variants) >= 1020 + len(seen),
               what="per-variant counts")
    b = describe_endpoint("ab").variants[1]
    assert b.current_weight == 1.0 and b.latency_p50_ms is not None and b.latency_p99_ms >= b.latency_p50_ms
    delete_endpoint("ab")


def test_bad_requests_get_4xx_and_a_failing_model_500(sklearn, tmp_path: Path) -> None:
    archive, _local = sklearn
    faulty = Model(str(script(tmp_path / "faulty", "serve.py", CONSTANT.format(value=1))), entry_point="serve.py",
                   source_dir=str(tmp_path / "faulty"))
    create_endpoint("bad", [ProductionVariant(Model(str(archive)), "Main"), ProductionVariant(faulty, "Faulty", 0.0)])
    url = describe_endpoint("bad").url + "/invocations"

    def post(body: bytes, content_type: str, **headers: str) -> httpx.Response:
        return httpx.post(url, content=body, headers={"Content-Type": content_type, **headers,
                                                      "Authorization": f"Bearer {endpoint_token('bad')}"})

    malformed = post(b"[[0.1, 0.2", "application/json")
    assert malformed.status_code == 400 and "JSON payload is malformed" in malformed.json()["Message"]
    wrong_type = post(b"<xml/>", "application/xml")
    assert wrong_type.status_code == 415 and "text/csv" in wrong_type.json()["Message"]
    too_few = post(b"0.1,0.2", "text/csv")
    assert too_few.status_code == 400 and "expects 3 values per record" in too_few.json()["Message"]
    huge = post(b"1" * (6 * 1024 * 1024 + 1), "text/csv")
    assert huge.status_code == 413 and "larger than 6291456 bytes" in huge.json()["Message"]
    nowhere = post(b"[[1, 2, 3]]", "application/json", **{"X-Amzn-SageMaker-Target-Variant": "C"})
    assert nowhere.status_code == 400 and "Main, Faulty" in nowhere.json()["Message"]
    with pytest.raises(ModelError, match="500: RuntimeError: the model cannot take -1"):
        Predictor("bad").predict([[-1]], target_variant="Faulty")
    assert Predictor("bad").predict([[0.1, 0.2, 0.3]]) == [0]  # the server stays up
    assert httpx.get(describe_endpoint("bad").url + "/ping").status_code == 200
    wait_until(lambda: describe_endpoint("bad").variants[1].errors_5xx == 1, what="the 500 counted")

    with pytest.raises(ConflictError, match=f"Port {describe_endpoint('bad').port} on 127.0.0.1 is taken"):
        Model(str(archive)).deploy("other", port=describe_endpoint("bad").port)
    with pytest.raises(ConflictError, match="already exists"):
        Model(str(archive)).deploy("bad")
    with pytest.raises(ValidationError, match="does not exist"):
        Model(str(tmp_path / "nowhere.tar.gz"))
    with pytest.raises(ValidationError, match="weight must be a number >= 0"):
        create_endpoint("neg", [ProductionVariant(Model(str(archive)), "A", -1)])
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ValidationError, match="No model file found .* notes.txt"):
        Model(str(tmp_path / "notes.txt")).deploy("notes")
    assert describe_endpoint("notes").status == "Failed"
    with pytest.raises(ValidationError, match="Update failed, the previous variants are still served: .*notes.txt"):
        update_endpoint("bad", [ProductionVariant(Model(str(tmp_path / "notes.txt")), "Main")])
    assert Predictor("bad").predict([[0.9, 0.9, 0.3]]) == [1] and len(describe_endpoint("bad").variants) == 2
    with pytest.raises(ValidationError, match="Variant 'C' is not on endpoint bad"):
        update_endpoint_weights_and_capacities("bad", {"C": 1})
    for name in ("bad", "notes"):
        delete_endpoint(name)
    with pytest.raises(NotFoundError, match="Endpoint 'bad' not found"):
        describe_endpoint("bad")


def test_torch_script_and_state_dict_models(tmp_path: Path) -> None:
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 2))
    folder = tmp_path / "ts"
    folder.mkdir()
    torch.jit.save(torch.jit.script(net), folder / "model.pt")
    (tmp_path / "sd").mkdir()
    torch.save(net.state_dict(), tmp_path / "sd" / "model.pth")
    code = script(tmp_path / "code", "net.py", """
        import os, torch

        def model_fn(model_dir):
            net = torch.nn.Sequential(torch.nn.Linear(3, 2))
            net.load_state_dict(torch.load(os.path.join(model_dir, "model.pth")))
            return net
    """)
    create_endpoint("torch", [ProductionVariant(Model(str(folder / "model.pt")), "Script"),
                              ProductionVariant(Model(str(tmp_path / "sd"), entry_point=str(code)), "StateDict")])
    rows = FEATURES[:4].astype("float32")
    expected = net(torch.as_tensor(rows)).detach().numpy()
    for variant in ("Script", "StateDict"):
        answer = Predictor("torch", NumpySerializer(), NumpyDeserializer()).predict(rows, target_variant=variant)
        assert numpy.allclose(answer, expected, atol=1e-5), variant
    with pytest.raises(ValidationError, match="not TorchScript .* model_fn"):
        Model(str(tmp_path / "sd" / "model.pth")).deploy("no-code")
    for name in ("torch", "no-code"):
        delete_endpoint(name)


def test_pipeline_model_and_an_automl_pipeline(tmp_path: Path) -> None:
    import joblib
    import pandas

    from jupyter_ext.automl.pipelines import build_pipeline

    frame = pandas.DataFrame({"plan": ["basic", "pro", "basic", "pro"] * 25, "minutes": numpy.arange(100.0)})
    target = (frame["plan"] == "pro").astype(int)
    pipeline = build_pipeline("BinaryClassification", {"plan": "categorical", "minutes": "numeric"}, "dpp0", "linear", {"C": 1.0}, 0)
    pipeline.fit(frame, target)
    (tmp_path / "automl").mkdir()
    joblib.dump(pipeline, tmp_path / "automl" / "model.joblib")
    doubler = script(tmp_path / "pre", "double.py", """
        def input_fn(body, content_type):
            return [[2 * float(v) for v in line.split(",")] for line in body.decode().splitlines()]

        def predict_fn(data, model):
            return data

        def output_fn(rows, accept):
            return "\\n".join(",".join(str(v) for v in row) for row in rows), "text/csv"
    """)
    _archive, local = sklearn_model(tmp_path / "sk")
    chained = PipelineModel([Model(str(tmp_path / "pre"), entry_point=str(doubler)), Model(str(_archive))])
    create_endpoint("chain", [ProductionVariant(chained, "Chain"), ProductionVariant(Model(str(tmp_path / "automl")), "AutoML")])
    rows = FEATURES[:6] / 2
    assert Predictor("chain", CSVSerializer()).predict(rows, target_variant="Chain") == local.predict(rows * 2).tolist()
    records = frame.head(6)
    expected = pipeline.predict(records).tolist()
    automl = Predictor("chain", CSVSerializer())
    assert automl.predict(records, target_variant="AutoML") == expected  # CSV in the training columns' order
    assert Predictor("chain").predict(records, target_variant="AutoML") == expected  # JSON records by column name
    header = records.to_csv(index=False)  # a header row naming the model's columns is skipped
    assert Predictor("chain", CSVSerializer()).predict(header, target_variant="AutoML") == expected
    delete_endpoint("chain")
    stamped = pandas.DataFrame({"day": [pandas.Timestamp("2026-01-02")], "n": [numpy.int64(3)]})
    assert JSONSerializer().serialize(stamped) == b'[{"day": "2026-01-02T00:00:00", "n": 3}]'


def test_endpoint_outlives_the_kernel_and_a_dead_one_is_seen(sklearn, tmp_path: Path) -> None:
    archive, _local = sklearn
    kernel = (f"from jupyter_ext.serving import Model\nModel({str(archive)!r}).deploy('lasting')\n"
              "print('deployed')\n")
    done = subprocess.run([sys.executable, "-c", kernel], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 0 and "deployed" in done.stdout, done.stderr
    assert [e.name for e in list_endpoints()] == ["lasting"] and describe_endpoint("lasting").status == "InService"
    assert Predictor("lasting").predict([[0.9, 0.9, 0.9]]) == [1]
    os.kill(describe_endpoint("lasting").pid, signal.SIGKILL)
    failed = wait_until(lambda: (d := describe_endpoint("lasting")).status == "Failed" and d, what="death noticed")
    assert "exited" in failed.failure_reason
    with pytest.raises(ValidationError, match="Failed, not InService"):
        Predictor("lasting").predict([[0.9, 0.9, 0.9]])
    delete_endpoint("lasting")
    assert list_endpoints() == []


def test_automl_deploy_answers_as_autopilot_does(tmp_path: Path) -> None:
    import joblib
    import pandas
    import tarfile

    from jupyter_ext import AutoML

    rng = numpy.random.RandomState(0)
    frame = pandas.DataFrame({"customer_id": [f"c{i}" for i in range(200)],
                              "plan": rng.choice(["basic", "pro"], 200), "minutes": rng.rand(200) * 100})
    frame["churn"] = ((frame.plan == "pro") ^ (frame.minutes > 50)).astype(int)
    automl = AutoML("churn", max_candidates=1, algorithms=["linear"], total_job_runtime_in_seconds=300)
    automl.fit(frame, logs=False)
    predictor = automl.deploy(inference_response_keys=["predicted_label", "probability", "labels"])
    assert describe_endpoint(predictor.endpoint_name).variants[0].model_data == [automl.model_data()]
    with tarfile.open(automl.model_data()) as tar:
        tar.extract("model.joblib", tmp_path, filter="data")
    pipeline = joblib.load(tmp_path / "model.joblib")
    rows = frame.drop(columns="churn").head(8)  # the identifier column AutoML dropped, still there
    answers = predictor.predict(rows)  # CSV out and in by default, as Autopilot's containers
    expected = pipeline.predict(rows[list(pipeline.feature_names_in_)])
    assert [int(a[0]) for a in answers] == expected.tolist()
    assert all(0.5 <= float(a[1]) <= 1 and a[2] == "[0, 1]" for a in answers)
    as_json = Predictor(predictor.endpoint_name, serializer=JSONSerializer()).predict(rows.to_dict("records"))
    assert [p["predicted_label"] for p in as_json["predictions"]] == expected.tolist()
    predictor.delete_endpoint()


def test_capture_records_and_config_checks(tmp_path: Path) -> None:
    from jupyter_ext.serving.capture import _LineEncoder, capture_record

    config = DataCaptureConfig(capture_options=["REQUEST"], destination_s3_uri=str(tmp_path)).to_config("unused")
    record = capture_record(("A", 0.0, None, b"\x93NUMPY", "application/x-npy", b"[1]", "application/json"), config)
    assert record["captureData"] == {"endpointInput": {"observedContentType": "application/x-npy", "mode": "INPUT",
                                                       "data": "k05VTVBZ", "encoding": "BASE64"}}
    assert record["eventMetadata"]["inferenceTime"] == "1970-01-01T00:00:00Z" and "inferenceId" not in record["eventMetadata"]
    # The writer's text encoding of a record is the record, escapes and all.
    both = DataCaptureConfig(destination_s3_uri=str(tmp_path)).to_config("unused")
    for event in [("A", 0.0, None, b"\x93NUMPY", "application/x-npy", b"[1]", "application/json"),
                  ("B", 1e9, 'id "\u00e9"', '[["a\\"b\u00e9\\n"]]'.encode(), "application/json", b"1,2\n", "text/csv")]:
        for settings in (config, both):
            line, expected = json.loads(_LineEncoder(settings).line(event)), capture_record(event, settings)
            assert str(uuid.UUID(line["eventMetadata"].pop("eventId"))) and expected["eventMetadata"].pop("eventId")
            assert line == expected
    with pytest.raises(ValidationError, match="sampling_percentage must be between 0 and 100"):
        DataCaptureConfig(sampling_percentage=150).to_config(str(tmp_path))
    with pytest.raises(ValidationError, match="not a valid S3 bucket name"):
        DataCaptureConfig(destination_s3_uri="s3://My_Bucket/capture").to_config(str(tmp_path))
    with pytest.raises(ValidationError, match="use REQUEST and/or RESPONSE"):
        DataCaptureConfig(capture_options=["EVERYTHING"]).to_config(str(tmp_path))
