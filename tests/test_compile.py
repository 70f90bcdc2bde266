"""Compilation jobs: models compiled to ONNX, checked against the original, served by ONNX
Runtime on endpoints and in batch transform; what fails, fails with the converter's words."""

from __future__ import annotations

import json
import tarfile
import textwrap
from pathlib import Path

import numpy
import pytest

from jupyter_ext import Estimator, describe_job, list_jobs
from jupyter_ext.compile import compile_model
from jupyter_ext.errors import UnexpectedStatusError, ValidationError
from jupyter_ext.experiments import lineage
from jupyter_ext.serving import CSVSerializer, JSONDeserializer, JSONSerializer, Model

# A small CNN trained one step, saved as a state dict: serving it needs the script's model_fn.
CNN_SCRIPT = textwrap.dedent("""\
    import os
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(3, 16, 3, padding=1)
            self.conv2 = torch.nn.Conv2d(16, 32, 3, padding=1)
            self.fc = torch.nn.Linear(32 * 8 * 8, 10)

        def forward(self, x):
            x = torch.nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
            x = torch.nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
            return self.fc(x.flatten(1))

    def model_fn(model_dir):
        model = Net()
        model.load_state_dict(torch.load(os.path.join(model_dir, "model.pth")))
        return model.eval()

    if __name__ == "__main__":
        torch.manual_seed(0)
        model = Net()
        loss = model(torch.randn(8, 3, 32, 32)).logsumexp(1).mean()
        loss.backward()
        torch.optim.SGD(model.parameters(), lr=0.1).step()
        torch.save(model.state_dict(), os.path.join(os.environ["SM_MODEL_DIR"], "model.pth"))
""")


def _manifest(model_data: str) -> dict:
    with tarfile.open(model_data) as tar:
        assert {"model.onnx", "compilation.json"} <= set(tar.getnames())
        return json.load(tar.extractfile("compilation.json"))


def test_a_trained_cnn_compiles_and_its_endpoint_answers_as_the_torch_model(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "cnn.py").write_text(CNN_SCRIPT)
    estimator = Estimator("cnn.py", source_dir=str(tmp_path / "src"))
    estimator.fit(logs=False)
    compiled = estimator.compile_model("ml_c5", {"input0": [1, 3, 32, 32]}, str(tmp_path / "compiled"),
                                       framework="pytorch", framework_version="2.13", logs=False)
    job = describe_job(compiled.name)
    assert (job.job_type, job.status, job.model_data) == ("Compilation", "Completed", compiled.model_data)
    assert compiled.model_data.startswith(str(tmp_path / "compiled"))
    assert [j.name for j in list_jobs(type="Compilation")] == [job.name]
    manifest = _manifest(compiled.model_data)
    assert manifest["source_model"] == estimator.model_data
    assert manifest["optimisation"]["optimization_level"] == "all" and manifest["optimisation"]["quantization"] is None
    assert manifest["check"]["passed"] and manifest["check"]["label_agreement"] == 1.0
    assert job.final_metrics["max_relative_difference"] == pytest.approx(manifest["check"]["max_relative_difference"])
    assert lineage(compiled.model_data)["inputs"] == {"model": estimator.model_data}

    images = numpy.random.default_rng(1).standard_normal((4, 3, 32, 32)).astype("float32").tolist()
    original = estimator.deploy(serializer=JSONSerializer(), deserializer=JSONDeserializer())
    fast = compiled.deploy(serializer=JSONSerializer(), deserializer=JSONDeserializer())
    try:
        expected, answered = numpy.array(original.predict(images)), numpy.array(fast.predict(images))
    finally:
        original.delete_endpoint()
        fast.delete_endpoint()
    assert answered.shape == expected.shape == (4, 10)
    scale = numpy.abs(expected).max()
    assert numpy.abs(answered - expected).max() / scale <= manifest["check"]["tolerance"]["max_relative_difference"]
    assert (answered.argmax(1) == expected.argmax(1)).all()


def _automl_pipeline(tmp_path: Path):
    """A candidate pipeline as AutoML builds it (its own code), fitted on a numeric table."""
    import joblib
    import pandas

    from jupyter_ext.automl.pipelines import build_pipeline

    rng = numpy.random.default_rng(0)
    frame = pandas.DataFrame(rng.normal(size=(300, 4)) * [1, 10, 100, 0.1], columns=["age", "income", "debt", "rate"])
    labels = numpy.where(frame.age + frame.income / 10 > 0, "yes", "no")
    pipeline = build_pipeline("BinaryClassification", {c: "numeric" for c in frame.columns}, "dpp0", "linear",
                              {"C": 1.0}).fit(frame, labels)
    (tmp_path / "automl").mkdir()
    joblib.dump(pipeline, tmp_path / "automl" / "model.joblib")
    return pipeline, frame


def test_an_automl_pipeline_compiles_and_endpoint_and_transform_label_as_it_does(tmp_path: Path) -> None:
    pipeline, frame = _automl_pipeline(tmp_path)
    compiled = Model(str(tmp_path / "automl")).compile("ml_m5", sample_inputs=frame.head(100), logs=False)
    manifest = _manifest(compiled.model_data)
    assert (manifest["framework"], manifest["columns"]) == ("sklearn", ["age", "income", "debt", "rate"])
    assert manifest["check"]["samples"] == 100 and manifest["check"]["label_agreement"] == 1.0
    rows = frame.tail(20)
    predictor = compiled.deploy(serializer=CSVSerializer())
    try:
        answered = predictor.predict(rows.to_numpy().tolist())
    finally:
        predictor.delete_endpoint()
    assert answered == pipeline.predict(rows).tolist()

    (tmp_path / "batch.csv").write_text(rows.to_csv(index=False, header=False))
    transformer = compiled.transformer(output_path=str(tmp_path / "out"))
    transformer.transform(str(tmp_path / "batch.csv"), content_type="text/csv", logs=False)
    assert (tmp_path / "out" / "batch.csv.out").read_text().split() == pipeline.predict(rows).tolist()


def test_a_builtin_xgboost_booster_compiles_and_its_endpoint_answers_its_scores(tmp_path: Path) -> None:
    xgboost = pytest.importorskip("xgboost")
    rng = numpy.random.default_rng(0)
    features = rng.normal(size=(200, 5)).astype("float32")
    booster = xgboost.train({"objective": "binary:logistic", "max_depth": 3},
                            xgboost.DMatrix(features, label=features[:, 0] + features[:, 1] > 0), 20)
    (tmp_path / "xgb").mkdir()
    booster.save_model(str(tmp_path / "xgb" / "xgboost-model.json"))
    (tmp_path / "xgb" / "xgboost-model.json").rename(tmp_path / "xgb" / "xgboost-model")
    compiled = compile_model(str(tmp_path / "xgb"), "ml_c5", sample_inputs=features[:50], logs=False)
    manifest = _manifest(compiled.model_data)
    assert manifest["framework"] == "xgboost" and manifest["check"]["label_agreement"] == 1.0
    predictor = compiled.deploy(serializer=CSVSerializer(), deserializer=JSONDeserializer())
    try:
        answered = numpy.array(predictor.predict(features[:10].tolist()))
    finally:
        predictor.delete_endpoint()
    assert numpy.abs(answered - booster.predict(xgboost.DMatrix(features[:10]))).max() < 1e-5


class _Spectrum:
    """A module whose forward uses an FFT, which torch's ONNX exporter has no symbolic for."""

    @staticmethod
    def module():
        import torch

        class Spectrum(torch.nn.Module):
            def forward(self, x):
                return torch.fft.rfft(x).abs()

        return Spectrum()


def test_an_op_the_exporter_lacks_fails_the_job_with_its_message_and_the_step_to_take(tmp_path: Path) -> None:
    with pytest.raises(UnexpectedStatusError) as raised:
        compile_model(_Spectrum.module(), "ml_c5", {"input0": [1, 16]}, logs=False)
    job = list_jobs(type="Compilation")[0]
    assert job.status == "Failed"
    assert "Exporting the operator 'aten::fft_rfft' to ONNX opset version" in job.failure_reason
    assert "Rewrite the layer named with operators ONNX has" in job.failure_reason
    assert "aten::fft_rfft" in str(raised.value)


def test_an_edge_target_quantises_to_int8_and_a_tight_tolerance_fails_it(tmp_path: Path) -> None:
    pipeline, frame = _automl_pipeline(tmp_path)
    import torch

    torch.manual_seed(0)
    mlp = torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    edge = compile_model(mlp, "rasp4b", {"input0": [1, 64]}, logs=False)
    manifest = _manifest(edge.model_data)
    assert manifest["optimisation"]["quantization"]["weight_type"] == "int8"
    assert manifest["optimisation"]["quantization"]["weight_bits"] == 7  # full-range int8 weights saturate without VNNI
    assert "MatMulInteger" in manifest["optimisation"]["quantization"]["operators"]
    assert manifest["size_bytes"]["compiled"] < manifest["size_bytes"]["original"] / 2
    with pytest.raises(UnexpectedStatusError, match="outside tolerance on the sample inputs: max relative difference"):
        compile_model(mlp, "rasp4b", {"input0": [1, 64]}, tolerance=1e-9, logs=False)
    assert [j.status for j in list_jobs(type="Compilation")] == ["Failed", "Completed"]


def test_bad_compile_arguments_say_what_to_give(tmp_path: Path) -> None:
    import torch

    with pytest.raises(ValidationError, match="Unknown target_instance_family 'ml_z9'; choose a cloud family"):
        compile_model(torch.nn.Linear(2, 1), "ml_z9", {"input0": [1, 2]})
    with pytest.raises(ValidationError, match="input_shape .*give \\{input name: \\[dimensions\\]\\}"):
        compile_model(torch.nn.Linear(2, 1), "ml_c5", {"input0": "1,2"})
    with pytest.raises(ValidationError, match="tolerance 'close': give a number"):
        compile_model(torch.nn.Linear(2, 1), "ml_c5", {"input0": [1, 2]}, tolerance="close")
    with pytest.raises(ValidationError, match="Unknown framework 'caffe' to compile from; choose one of: pytorch"):
        from jupyter_ext.compile.exporters import exporter_for

        exporter_for("caffe", tmp_path, {})
    assert list_jobs(type="Compilation") == []


def test_compile_magic_and_cli(ip, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import torch

    from jupyter_ext.cli import main

    pipeline, frame = _automl_pipeline(tmp_path)
    assert main(["compile", str(tmp_path / "automl"), "--target", "lambda", "--name", "cli-compiled", "--quiet"]) == 0
    assert f"Compiled model: {describe_job('cli-compiled').model_data}" in capsys.readouterr().out
    assert _manifest(describe_job("cli-compiled").model_data)["optimisation"]["optimization_level"] == "extended"

    ip.user_ns["net"] = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Flatten(), torch.nn.Linear(8, 3))
    compiled = ip.run_line_magic("compile", "net --shape input0=1,1,4,4 --target ml_m5 --quiet")
    assert isinstance(compiled, Model) and describe_job(compiled.name).status == "Completed"
    assert _manifest(compiled.model_data)["input_shape"] == {"input0": [1, 1, 4, 4]}
    with pytest.raises(ValidationError, match="--shape 'input0=1,x': give NAME=D1,D2"):
        ip.run_line_magic("compile", "net --shape input0=1,x")
    assert main(["compile", str(tmp_path / "missing.tar.gz")]) == 1
    assert "missing.tar.gz does not exist" in capsys.readouterr().err
