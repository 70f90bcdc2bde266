"""Exporters: how a framework's trained model becomes ONNX, one per framework, found by name
in `EXPORTERS` ("pytorch", "sklearn", "xgboost"; third-party packages add theirs under the
`jupyter_ext.model_exporters` entry-point group).

An exporter is made from the unpacked model folder (and the serving code, if any) and
knows three things: sample inputs for the model, its ONNX export, and the original's
outputs on samples, in the order of the ONNX model's outputs, so the two can be compared.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import JupyterExtError, ValidationError
from ..plugins import Registry

__all__ = ["Exporter", "ConversionError", "EXPORTERS", "exporter_for", "detect_framework", "first_line"]


class ConversionError(JupyterExtError):
    """The converter could not export the model; `hint` is the step to take."""


def first_line(error: BaseException, limit: int = 400) -> str:
    """The converter's message without its graph dump: the first non-empty line, cut to `limit`."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Exporter(ABC):
    """A loaded model of one framework, ready to export.

    `classifier` says whether label agreement is checked; `columns` names the inputs of a
    model fitted on a table (one ONNX input per column), else None; `answer` is the
    manifest's serving answer (which output the original's predict gave); `label_output`
    the index of the output holding labels (left out of the numeric differences).
    """

    framework: str = ""
    classifier: bool = False
    columns: list[str] | None = None
    answer: dict[str, Any] = {}
    label_output: int | None = None

    @abstractmethod
    def samples(self, input_shape: Mapping[str, list[int]], count: int, seed: int) -> Any:
        """`count` sample inputs drawn for this model (the shape's first dimension replaced by `count`)."""

    @abstractmethod
    def export(self, samples: Any, input_shape: Mapping[str, list[int]]) -> bytes:
        """The model as a serialised ONNX ModelProto; ConversionError with the converter's message."""

    @abstractmethod
    def outputs(self, samples: Any) -> list[Any]:
        """The original model's outputs on `samples`, as arrays in the ONNX outputs' order."""

    def labels(self, outputs: list[Any]) -> Any:
        """The predicted labels among `outputs` (a classifier's), else None."""
        return outputs[0] if self.classifier else None


EXPORTERS: Registry[Callable[[Path, dict[str, Any]], Exporter]] = Registry(
    "framework", "jupyter_ext.model_exporters", {
        "pytorch": "jupyter_ext.compile.torch_export:TorchExporter",
        "sklearn": "jupyter_ext.compile.sklearn_export:SklearnExporter",
        "xgboost": "jupyter_ext.compile.sklearn_export:XGBoostExporter",
    }, unknown="Unknown {what} {name!r} to compile from; choose one of: {names}.")


def exporter_for(framework: str | None, model_dir: Path, code: dict[str, Any]) -> Exporter:
    """The exporter of `framework` (None: told by the artifact's files) for the model unpacked
    in `model_dir`; `code` holds the serving code's `entry_point` and `code_dir`, if any."""
    name = framework.lower() if framework else detect_framework(p.name for p in model_dir.iterdir() if p.is_file())
    return EXPORTERS.get(name)(model_dir, code)


def detect_framework(names: Iterable[str]) -> str:
    """The framework of an artifact whose top-level files are `names`; ValidationError when
    they do not say (then give `framework=`)."""
    names = set(names)
    suffixes = {Path(n).suffix for n in names}
    if "xgboost-model" in names:
        return "xgboost"
    if suffixes & {".joblib", ".pkl", ".pickle"}:
        return "sklearn"
    if suffixes & {".pt", ".pth", ".torchscript"}:
        return "pytorch"
    raise ValidationError(f"Cannot tell the framework of the model (it holds {', '.join(sorted(names)) or 'nothing'}); "
                          f"give framework= ({', '.join(EXPORTERS.names())}).")
