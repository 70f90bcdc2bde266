"""Serving a compiled model (`model.onnx` beside its `compilation.json` manifest, as a
compilation job writes them) with ONNX Runtime.

One session per model, on the CPU, with one intra-op thread unless
`JUPYTER_EXT_ONNX_THREADS` says otherwise. Requests are read as the built-in handlers read
them; a model compiled from a scikit-learn pipeline fitted on named columns takes records
with those columns (one ONNX input per column), others one tensor. The answer is what the
original model's `predict` (scikit-learn, XGBoost) or forward (torch) gave: the manifest's
`answer` names the output.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from .payloads import PayloadError

__all__ = ["ONNX_MODEL", "MANIFEST", "is_compiled", "OnnxModel", "model_fn", "predict_fn", "onnx_session"]

ONNX_MODEL = "model.onnx"
MANIFEST = "compilation.json"
_NUMPY_TYPES = {"tensor(float)": "float32", "tensor(double)": "float64", "tensor(int64)": "int64",
                "tensor(int32)": "int32", "tensor(string)": "object", "tensor(bool)": "bool"}


def is_compiled(model_dir: Path) -> bool:
    """Whether `model_dir` holds a compiled model."""
    return (Path(model_dir) / ONNX_MODEL).is_file() and (Path(model_dir) / MANIFEST).is_file()


def onnx_session(path: Path | str, threads: int | None = None, optimization_level: str = "all") -> Any:
    """An ONNX Runtime CPU session of `path` with `threads` intra-op threads (default
    `JUPYTER_EXT_ONNX_THREADS`, else 1) and graph optimisation "all", "extended", "basic" or "none"."""
    try:
        import onnxruntime
    except ImportError:
        raise ValidationError("Serving a compiled model needs onnxruntime: pip install onnxruntime "
                              "(or jupyter_ext[compile]).") from None
    levels = {"all": "ORT_ENABLE_ALL", "extended": "ORT_ENABLE_EXTENDED", "basic": "ORT_ENABLE_BASIC",
              "none": "ORT_DISABLE_ALL"}
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or int(os.environ.get("JUPYTER_EXT_ONNX_THREADS") or 1)
    options.inter_op_num_threads = 1
    options.graph_optimization_level = getattr(onnxruntime.GraphOptimizationLevel, levels[optimization_level])
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@dataclass
class OnnxModel:
    """A loaded compiled model: its session and its manifest."""

    session: Any
    manifest: dict[str, Any]

    def run(self, feeds: dict[str, Any]) -> dict[str, Any]:
        """Every output of the model for `feeds`, by name."""
        names = [o.name for o in self.session.get_outputs()]
        return dict(zip(names, self.session.run(None, feeds)))

    def answer(self, outputs: dict[str, Any]) -> Any:
        """The output the original model answered with (`manifest["answer"]`)."""
        answer = self.manifest.get("answer") or {}
        value = outputs[answer.get("output") or next(iter(outputs))]
        if answer.get("column") is not None:
            value = value[:, answer["column"]]
        elif answer.get("flatten") and value.ndim == 2 and value.shape[1] == 1:
            value = value[:, 0]
        return value.astype(bool) if answer.get("bool_labels") else value

    def feeds(self, data: Any) -> dict[str, Any]:
        """The session's inputs for request `data` (rows, records, an array or a DataFrame)."""
        import numpy

        inputs = self.session.get_inputs()
        columns = self.manifest.get("columns")
        if columns:
            frame = _frame(data, columns)
            return {i.name: frame[[i.name]].to_numpy().astype(_NUMPY_TYPES.get(i.type, "float32")) for i in inputs}
        try:
            array = numpy.asarray(data.tolist() if hasattr(data, "tolist") else data,
                                  dtype=_NUMPY_TYPES.get(inputs[0].type, "float32"))
        except (TypeError, ValueError) as error:
            raise PayloadError(f"The payload is not numeric: {error}.") from None
        rank = len(inputs[0].shape)
        if array.ndim == rank - 1:
            array = array[None]  # one record
        if array.ndim != rank:
            raise PayloadError(f"The compiled model takes records of shape {inputs[0].shape[1:]}; got an array "
                               f"of shape {list(array.shape)}.")
        return {inputs[0].name: array}


def _frame(data: Any, columns: list[str]) -> Any:
    import pandas

    if hasattr(data, "columns"):
        frame = data
    else:
        rows = data.tolist() if hasattr(data, "tolist") else data
        if isinstance(rows, dict) or rows and not isinstance(rows[0], (list, tuple, dict)):
            rows = [rows]
        if rows and isinstance(rows[0], dict):
            frame = pandas.DataFrame(rows)
        else:
            if len(rows) > 1 and [str(v) for v in rows[0]] == columns:
                rows = rows[1:]  # a CSV header row naming the model's columns
            if rows and len(rows[0]) != len(columns):
                raise PayloadError(f"The model expects {len(columns)} values per record ({', '.join(columns)}); "
                                   f"got {len(rows[0])}.")
            frame = pandas.DataFrame(list(rows), columns=columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PayloadError(f"Records lack the column(s) {missing}; the model expects {columns}.")
    return frame


def model_fn(model_dir: Path | str) -> OnnxModel:
    """The compiled model in `model_dir`, in an ONNX Runtime session."""
    manifest = json.loads((Path(model_dir) / MANIFEST).read_text())
    return OnnxModel(onnx_session(Path(model_dir) / ONNX_MODEL), manifest)


def predict_fn(data: Any, model: OnnxModel) -> Any:
    """The compiled model's answer for `data`."""
    feeds = model.feeds(data)
    try:
        return model.answer(model.run(feeds))
    except Exception as error:  # onnxruntime's own errors: a wrong shape or type in the records
        if type(error).__module__.startswith("onnxruntime"):
            raise PayloadError(f"The compiled model cannot take these records: {error}") from None
        raise
