"""Loading a model and answering requests with it: SageMaker's inference handlers.

A container runs `input_fn` → `predict_fn` → `output_fn` on each request, with the
user's functions from the entry point where given and the built-ins otherwise.
Built-in `model_fn`: scikit-learn pickles/joblib (our AutoML pipelines included),
TorchScript, and `xgboost-model` (with the xgboost package); a torch state dict needs an
entry point whose `model_fn` builds the module. A model of the built-in XGBoost algorithm
(its `xgboost-model`, no entry point) answers as that algorithm's container does
(builtin_xgboost.py). A compiled model (`model.onnx` with its manifest) is served by
ONNX Runtime (onnx_model.py) whatever the entry point says: only the entry point's
`input_fn` and `output_fn` still apply, as Neo's compiled models keep the script's own
pre- and post-processing.

The entry point is, in order: the container's `entry_point`; the framework containers'
`SAGEMAKER_PROGRAM` in `SAGEMAKER_SUBMIT_DIRECTORY` (a sourcedir.tar.gz URI, a folder, or
the model's own `code/` folder when unset or `/opt/ml/model/code`); the model's
`code/inference.py`.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from . import builtin_xgboost, onnx_model
from .archives import unpack
from .builtin_xgboost import XGBOOST_MODEL
from .payloads import JSON, PayloadError, base_type, decode, encode

__all__ = ["Container", "ContainerChain", "load_chain", "unpack", "default_model_fn", "default_predict_fn"]

_PICKLES = (".joblib", ".pkl", ".pickle")
_TORCH = (".pt", ".pth", ".torchscript")
_MODEL_CODE = "/opt/ml/model/code"


def default_model_fn(model_dir: Path) -> Any:
    """The model in `model_dir`: the first *.joblib/*.pkl (scikit-learn) or TorchScript file."""
    files = sorted(p for p in Path(model_dir).iterdir() if p.is_file())
    if any(p.name == XGBOOST_MODEL for p in files):
        return builtin_xgboost.model_fn(model_dir)
    pickles = sorted((p for p in files if p.suffix in _PICKLES), key=lambda p: p.name != "model.joblib")
    if pickles:
        import joblib

        return joblib.load(pickles[0])
    scripts = [p for p in files if p.suffix in _TORCH]
    if scripts:
        import torch

        try:
            return torch.jit.load(str(scripts[0]), map_location="cpu")
        except RuntimeError:
            raise ValidationError(
                f"{scripts[0].name} is not TorchScript (a state dict?). Give an entry_point whose model_fn(model_dir) "
                "builds the module and loads the state dict, or save the model with torch.jit.save.") from None
    names = ", ".join(p.name for p in files) or "nothing"
    raise ValidationError(f"No model file found in the model artifact (it holds {names}). Give a *.joblib/*.pkl "
                          "(scikit-learn), a TorchScript *.pt, or an entry_point with model_fn.")


def _is_torch_module(model: Any) -> bool:
    return type(model).__module__.startswith("torch") or hasattr(model, "state_dict") and hasattr(model, "eval")


def _rows(data: Any) -> Any:
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list) and data and not isinstance(data[0], (list, tuple, dict)):
        return [data]  # one record
    return data


def _features(data: Any, model: Any) -> Any:
    import numpy

    names = getattr(model, "feature_names_in_", None)
    if hasattr(data, "columns"):
        return data
    rows = _rows(data.tolist() if hasattr(data, "tolist") and getattr(data, "ndim", 2) == 1 else data)
    if names is not None:
        import pandas

        if isinstance(rows, list) and rows and isinstance(rows[0], dict):
            missing = sorted(set(names) - set(rows[0]))
            if missing:
                raise PayloadError(f"Records lack the column(s) {missing}; the model expects {list(names)}.")
            return pandas.DataFrame(rows)[list(names)]
        if len(rows) > 1 and [str(v) for v in rows[0]] == [str(n) for n in names]:
            rows = rows[1:]  # a CSV header row naming the model's columns
        width = len(rows[0]) if len(rows) else 0
        if width != len(names):
            raise PayloadError(f"The model expects {len(names)} values per record ({', '.join(names)}); got {width}.")
        return pandas.DataFrame(list(rows), columns=list(names))
    array = numpy.asarray(rows)
    expected = getattr(model, "n_features_in_", None)
    if expected is not None and (array.ndim != 2 or array.shape[1] != expected):
        raise PayloadError(f"The model expects {expected} values per record; got shape {list(array.shape)}.")
    return array


def default_predict_fn(data: Any, model: Any) -> Any:
    """Run the model: torch modules in eval mode without grad on a float32 tensor;
    scikit-learn estimators' `predict` (a DataFrame with the training columns when the
    model was fitted on one, as AutoML pipelines are). Records the model refuses (strings
    where it wants numbers, missing values it cannot take, ragged rows) are PayloadErrors."""
    if type(model).__module__.startswith("xgboost"):
        return builtin_xgboost.predict_fn(data, model)
    if _is_torch_module(model):
        import numpy
        import torch

        try:
            tensor = torch.as_tensor(numpy.asarray(_rows(data), dtype="float32"))
        except (TypeError, ValueError, OverflowError) as error:
            raise PayloadError(f"The payload is not numeric: {error}.") from None
        model.eval()
        with torch.no_grad():
            return model(tensor)
    try:
        return model.predict(_features(data, model))
    except PayloadError:
        raise
    # scikit-learn checks its input and says what is wrong with these; a built-in model
    # raising them was given records it cannot take, which is the request's fault (400).
    except (ValueError, TypeError, IndexError, KeyError, OverflowError) as error:
        raise PayloadError(f"The model cannot take these records: {type(error).__name__}: {error}") from None


def _with_context(function: Callable[..., Any], arity: int) -> Callable[..., Any]:
    """`function` called with the optional trailing `context` argument when it takes one."""
    try:
        takes = len([p for p in inspect.signature(function).parameters.values()
                     if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)])
    except (TypeError, ValueError):
        takes = arity
    return (lambda *args: function(*args, None)) if takes > arity else function


def _load_module(code_dir: Path, entry_point: str, index: int) -> Any:
    if str(code_dir) not in sys.path:
        sys.path.insert(0, str(code_dir))
    spec = importlib.util.spec_from_file_location(f"jupyter_ext_inference_{index}_{Path(entry_point).stem}",
                                                  code_dir / entry_point)
    if spec is None or spec.loader is None:
        raise ValidationError(f"Cannot load the entry point {code_dir / entry_point}.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _submitted_code(env: dict[str, str], model_dir: Path, scratch: Path, program: str) -> Path:
    """The folder holding `SAGEMAKER_PROGRAM`, as the framework containers find it."""
    submitted = env.get("SAGEMAKER_SUBMIT_DIRECTORY") or _MODEL_CODE
    if submitted.rstrip("/") == _MODEL_CODE:
        folder = model_dir / "code"
    else:
        folder = unpack(submitted, scratch.parent / f"{scratch.name}-code")
    if not (folder / program).is_file():
        raise ValidationError(f"SAGEMAKER_PROGRAM {program!r} is not in SAGEMAKER_SUBMIT_DIRECTORY {submitted} "
                              "(give the script's name inside the sourcedir.tar.gz, or the model.tar.gz's code/).")
    return folder


def _has_program(spec: dict[str, Any], model_dir: Path) -> bool:
    """Whether a container's SAGEMAKER_PROGRAM can be found (a compiled model without the
    training script's code is served without it)."""
    submitted = (spec.get("env") or {}).get("SAGEMAKER_SUBMIT_DIRECTORY") or _MODEL_CODE
    return submitted.rstrip("/") != _MODEL_CODE or (model_dir / "code" / spec["env"]["SAGEMAKER_PROGRAM"]).is_file()


class Container:
    """One model with its handlers, ready to answer requests."""

    def __init__(self, spec: dict[str, Any], scratch: Path, index: int = 0) -> None:
        os.environ.update(spec.get("env") or {})
        self.name = spec.get("name", "model")
        self.model_dir = unpack(spec["model_data"], scratch)
        module = None
        program = (spec.get("env") or {}).get("SAGEMAKER_PROGRAM")
        if spec.get("entry_point"):
            module = _load_module(Path(spec["code_dir"]), spec["entry_point"], index)
        elif program and not (onnx_model.is_compiled(self.model_dir) and not _has_program(spec, self.model_dir)):
            module = _load_module(_submitted_code(spec["env"], self.model_dir, scratch, program), program, index)
        elif (self.model_dir / "code" / "inference.py").is_file():
            module = _load_module(self.model_dir / "code", "inference.py", index)
        if module is None and (self.model_dir / XGBOOST_MODEL).is_file():
            module = builtin_xgboost  # the built-in XGBoost algorithm's container answers as it does
        hooks = {name: getattr(module, name, None) for name in ("model_fn", "input_fn", "predict_fn", "output_fn")}
        if onnx_model.is_compiled(self.model_dir):
            hooks.update(model_fn=onnx_model.model_fn, predict_fn=onnx_model.predict_fn)
        model_fn = _with_context(hooks["model_fn"] or default_model_fn, 1)
        self.input_fn = _with_context(hooks["input_fn"] or decode, 2)
        self.predict_fn = _with_context(hooks["predict_fn"] or default_predict_fn, 2)
        self.output_fn = _with_context(hooks["output_fn"] or encode, 2)
        if hooks["model_fn"]:
            self.model = model_fn(str(self.model_dir))
        elif hooks["predict_fn"] and not any(p.suffix in _PICKLES + _TORCH for p in self.model_dir.iterdir()):
            self.model = None  # a pure transform step (e.g. preprocessing in a PipelineModel)
        else:
            self.model = model_fn(self.model_dir)

    def invoke(self, body: bytes, content_type: str | None, accept: str | None) -> tuple[bytes, str]:
        """Answer one request: (response body, its content type)."""
        data = self.input_fn(body, content_type)
        result = self.output_fn(self.predict_fn(data, self.model), accept)
        if isinstance(result, tuple):
            result, kind = result
        else:
            kind = accept if accept and accept != "*/*" else JSON
        return (result.encode() if isinstance(result, str) else bytes(result)), kind


class ContainerChain:
    """The containers of one variant, run serially (one for a plain Model)."""

    def __init__(self, containers: Sequence[Container]) -> None:
        self.containers = list(containers)

    def invoke(self, body: bytes, content_type: str | None, accept: str | None) -> tuple[bytes, str]:
        """Each container's response is the next one's request; the last one answers `accept`."""
        for container in self.containers[:-1]:
            body, content_type = container.invoke(body, content_type, base_type(content_type) or None)
        return self.containers[-1].invoke(body, content_type, accept)


def load_chain(specs: Sequence[dict[str, Any]], scratch: Path) -> ContainerChain:
    """Load every container of a variant, unpacking artifacts under `scratch`."""
    return ContainerChain([Container(spec, scratch / f"container-{i}", i) for i, spec in enumerate(specs)])
