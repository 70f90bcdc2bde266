"""The compilation program: `python -m jupyter_ext.compile.run_compile compile.json`, run as
a Compilation job in its job folder.

Export the source model (input/model/) to ONNX, optimise it for the target, run the
original and the compiled model on the same sample inputs, and write `model/model.onnx` with
its manifest `model/compilation.json` (the runner packs model/ into the job's model.tar.gz).
A model the converter cannot export, or a compiled model outside tolerance, fails the job
with the reason and the step to take (`output/failure`).
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import JupyterExtError
from ..jobs.metrics import log_metric
from ..serving.onnx_model import MANIFEST, ONNX_MODEL, OnnxModel, onnx_session
from .checks import CheckResult, compare
from .exporters import Exporter, exporter_for
from .optimise import optimise
from .targets import CompilationPlan, Tolerance

__all__ = ["main", "compile_folder"]

MODEL = Path("model")


def _samples(config: dict[str, Any], exporter: Exporter) -> Any:
    """The given sample inputs (a .npy or .csv file in the job), else drawn from the input shape."""
    import numpy

    given = config.get("samples")
    if not given:
        return exporter.samples(config["input_shape"], int(config.get("sample_count") or 16), int(config.get("seed") or 0))
    path = Path(given)
    if path.suffix == ".csv":
        import pandas

        frame = pandas.read_csv(path)
        if exporter.columns and list(frame.columns) != exporter.columns:
            frame = pandas.read_csv(path, header=None, names=exporter.columns)
        return frame if exporter.columns else frame.to_numpy().astype("float32")
    array = numpy.load(path, allow_pickle=False)
    if exporter.columns:
        import pandas

        return pandas.DataFrame(array, columns=exporter.columns)
    return array.astype("float32") if array.dtype.kind == "f" else array


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and "code" not in p.relative_to(folder).parts)


def _check(exporter: Exporter, compiled: OnnxModel, samples: Any, tolerance: Tolerance) -> CheckResult:
    after = list(compiled.run(compiled.feeds(samples)).values())
    before = exporter.outputs(samples)
    return compare(before, after, (exporter.labels(before), exporter.labels(after)), tolerance, exporter.label_output)


def compile_folder(config: dict[str, Any], model_dir: Path, output: Path) -> dict[str, Any]:
    """Compile the model unpacked in `model_dir` as `config` says into `output`; the manifest."""
    plan = CompilationPlan(**config["plan"])
    started = time.perf_counter()
    exporter = exporter_for(config["framework"], model_dir, config.get("code") or {})
    samples = _samples(config, exporter)
    exported = exporter.export(samples, config["input_shape"])
    output.mkdir(parents=True, exist_ok=True)
    done = optimise(exported, plan, output / ONNX_MODEL)
    manifest: dict[str, Any] = {
        "format": "onnx", "source_model": config.get("source_model"), "source_name": config.get("source_name"),
        "framework": exporter.framework, "framework_version": config.get("framework_version"),
        "target": plan.target, "input_shape": config["input_shape"], "columns": exporter.columns,
        "classifier": exporter.classifier, "answer": exporter.answer, "optimisation": done,
        "size_bytes": {"original": _size(model_dir), "compiled": (output / ONNX_MODEL).stat().st_size}}
    check = _check(exporter, OnnxModel(onnx_session(output / ONNX_MODEL), manifest), samples,
                   Tolerance(**config["tolerance"]))
    manifest.update(check=check.to_dict(), seconds=round(time.perf_counter() - started, 3))
    if (model_dir / "code").is_dir():  # the serving code's input_fn/output_fn still apply
        shutil.copytree(model_dir / "code", output / "code", dirs_exist_ok=True)
    (output / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


def _report(manifest: dict[str, Any]) -> None:
    check, sizes, done = manifest["check"], manifest["size_bytes"], manifest["optimisation"]
    for name in ("max_absolute_difference", "max_relative_difference", "label_agreement"):
        if check[name] is not None:
            log_metric(name, check[name])
    log_metric("original_size_bytes", sizes["original"])
    log_metric("compiled_size_bytes", sizes["compiled"])
    print(f"Compiled {manifest['framework']} model for {manifest['target']}: optimisation {done['optimization_level']}, "
          f"{done['precision']}, {done['nodes_exported']} -> {done['nodes_compiled']} nodes, "
          f"{sizes['original']} -> {sizes['compiled']} bytes", flush=True)
    agreement = "" if check["label_agreement"] is None else f", label agreement {check['label_agreement']:.3f}"
    print(f"Check on {check['samples']} samples: max absolute difference {check['max_absolute_difference']:.3g}, "
          f"max relative difference {check['max_relative_difference']:.3g}{agreement}", flush=True)


def _fail(message: str) -> None:
    Path("output").mkdir(exist_ok=True)
    Path("output/failure").write_text(message)
    print(message, file=sys.stderr, flush=True)
    raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    """Compile as `compile.json` (the first argument) says."""
    args = sys.argv[1:] if argv is None else argv
    config = json.loads(Path(args[0]).read_text())
    try:
        manifest = compile_folder(config, Path(config["model_dir"]).resolve(), MODEL)
    except JupyterExtError as error:
        _fail(f"{error}" + (f" {error.hint}" if error.hint else ""))
        return
    _report(manifest)
    if not manifest["check"]["passed"]:
        _fail(CheckResult(**manifest["check"]).failure())


if __name__ == "__main__":
    main()
