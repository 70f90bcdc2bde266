"""Compiled (ONNX Runtime) against original models, same inputs, one CPU thread each.

    python benchmarks/compile.py [--requests 300]

A small CNN (3x32x32 images, three conv layers, ten classes) compiled by a real
Compilation job for ml_c5 (fp32, every graph optimisation) and for rasp4b (int8 weights),
and an AutoML candidate pipeline (scikit-learn) compiled for ml_m5. For each: p50 and p95
latency of one-record requests, throughput, model size before and after, and the accuracy
difference on the same inputs (max relative difference, label agreement). Target: the
CNN compiled for ml_c5 at least 1.5x faster p50 than torch on one thread. The ratios are
against the original measured in the same run; the machine's load is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _cnn() -> Any:
    import torch

    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(64, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(), torch.nn.Linear(64, 10)).eval()


def _timed(run: Callable[[Any], Any], inputs: list[Any]) -> dict[str, float]:
    for record in inputs[:20]:  # warm up
        run(record)
    times = []
    started = time.perf_counter()
    for record in inputs:
        begin = time.perf_counter()
        run(record)
        times.append(time.perf_counter() - begin)
    total = time.perf_counter() - started
    times.sort()
    return {"p50_ms": statistics.median(times) * 1000, "p95_ms": times[int(len(times) * 0.95)] * 1000,
            "per_second": len(inputs) / total}


def _unpacked(model_data: str, folder: Path) -> Path:
    with tarfile.open(model_data) as tar:
        tar.extractall(folder, filter="data")
    return folder


def _compare(name: str, original: Callable[[Any], Any], compiled: Any, inputs: list[Any],
             sizes: tuple[int, int], check: dict[str, Any]) -> float:
    from jupyter_ext.serving.onnx_model import predict_fn

    before = _timed(original, inputs)
    after = _timed(lambda record: predict_fn(record, compiled), inputs)
    ratio = before["p50_ms"] / after["p50_ms"]
    agreement = "-" if check["label_agreement"] is None else f"{check['label_agreement']:.3f}"
    print(f"{name:22s} p50 {before['p50_ms']:7.3f} -> {after['p50_ms']:7.3f} ms ({ratio:5.2f}x)  "
          f"p95 {before['p95_ms']:7.3f} -> {after['p95_ms']:7.3f} ms  "
          f"throughput {before['per_second']:7.0f} -> {after['per_second']:7.0f} /s  "
          f"size {sizes[0] / 1024:7.1f} -> {sizes[1] / 1024:7.1f} KiB  "
          f"max rel diff {check['max_relative_difference']:.2e}  label agreement {agreement}", flush=True)
    return ratio


def _cnn_rows(folder: Path, requests: int) -> float:
    import numpy
    import torch

    from jupyter_ext.compile import compile_model
    from jupyter_ext.serving.onnx_model import model_fn

    torch.set_num_threads(1)
    cnn = _cnn()
    images = numpy.random.default_rng(0).standard_normal((requests, 1, 3, 32, 32)).astype("float32")
    shape = {"input0": [1, 3, 32, 32]}

    def original(record: Any) -> Any:
        with torch.no_grad():
            return cnn(torch.as_tensor(record))

    ratios = []
    for target in ("ml_c5", "rasp4b"):
        compiled = compile_model(cnn, target, shape, sample_inputs=images[:64, 0], logs=False)
        loaded = model_fn(_unpacked(compiled.model_data, folder / target))
        manifest = loaded.manifest
        sizes = (manifest["size_bytes"]["original"], manifest["size_bytes"]["compiled"])
        ratios.append(_compare(f"CNN {target}", original, loaded, list(images), sizes, manifest["check"]))
    return ratios[0]


def _automl_row(folder: Path, requests: int) -> None:
    import joblib
    import numpy
    import pandas

    from jupyter_ext.automl.pipelines import build_pipeline
    from jupyter_ext.serving import Model
    from jupyter_ext.serving.onnx_model import model_fn

    rng = numpy.random.default_rng(0)
    frame = pandas.DataFrame(rng.normal(size=(2000, 8)), columns=[f"f{i}" for i in range(8)])
    labels = numpy.where(frame.f0 + frame.f1 * frame.f2 > 0, "yes", "no")
    pipeline = build_pipeline("BinaryClassification", {c: "numeric" for c in frame.columns}, "dpp1", "random-forest",
                              {"max_features": 0.5, "min_samples_leaf": 2}).fit(frame, labels)
    (folder / "automl").mkdir()
    joblib.dump(pipeline, folder / "automl" / "model.joblib")
    compiled = Model(str(folder / "automl")).compile("ml_m5", sample_inputs=frame.head(500), logs=False)
    loaded = model_fn(_unpacked(compiled.model_data, folder / "automl-compiled"))
    records = [frame.iloc[[i]] for i in range(min(requests, len(frame)))]
    sizes = (loaded.manifest["size_bytes"]["original"], loaded.manifest["size_bytes"]["compiled"])
    _compare("AutoML RF ml_m5", pipeline.predict, loaded, records, sizes, loaded.manifest["check"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = "1"
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        os.environ["JUPYTER_EXT_HOME"] = str(folder / "home")
        os.environ["JUPYTER_EXT_DISPLAY"] = "text"
        with contextlib.redirect_stderr(io.StringIO()):
            ratio = _cnn_rows(folder, args.requests)
            _automl_row(folder, args.requests)
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{args.requests} one-record requests each, one thread")
    met = ratio >= 1.5
    print(f"CNN ml_c5 p50 speed-up {ratio:.2f}x (target 1.5x): {'target met' if met else 'TARGET MISSED'}")


if __name__ == "__main__":
    main()
