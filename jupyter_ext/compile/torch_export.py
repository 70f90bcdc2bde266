"""Exporting torch models with `torch.onnx.export` (its TorchScript-based exporter, which
needs nothing beyond torch; the newer one needs onnxscript).

The module is, in order: what the serving code's `model_fn(model_dir)` builds (a state
dict needs one), or the TorchScript file in the artifact (`*.pt`, `*.pth`, `*.torchscript`;
what `torch.jit.save` and Neo's PyTorch examples write). The batch dimension stays dynamic.
"""

from __future__ import annotations

import importlib.util
import io
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from .exporters import ConversionError, Exporter, first_line

__all__ = ["TorchExporter", "load_module"]

_TORCHSCRIPT = (".pt", ".pth", ".torchscript")


def _model_fn(model_dir: Path, code: Mapping[str, Any]) -> Any:
    """The serving code's model_fn: the given entry point's, else the artifact's code/inference.py's."""
    if code.get("entry_point"):
        folder, script = Path(code["code_dir"]), code["entry_point"]
    elif (model_dir / "code" / "inference.py").is_file():
        folder, script = model_dir / "code", "inference.py"
    else:
        return None
    sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(f"jupyter_ext_compile_{Path(script).stem}", folder / script)
    if spec is None or spec.loader is None:
        raise ValidationError(f"Cannot load the serving code {folder / script}.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, "model_fn", None)


def load_module(model_dir: Path, code: Mapping[str, Any]) -> Any:
    """The torch module of the artifact in `model_dir`, in eval mode."""
    import torch

    model_fn = _model_fn(model_dir, code)
    if model_fn is not None:
        module = model_fn(str(model_dir))
    else:
        files = sorted(p for p in model_dir.iterdir() if p.is_file() and p.suffix in _TORCHSCRIPT)
        if not files:
            raise ValidationError(f"No torch model in the artifact (it holds {', '.join(sorted(p.name for p in model_dir.iterdir())) or 'nothing'}): "
                                  "give a TorchScript file (torch.jit.save) or serving code whose model_fn builds the module.")
        try:
            module = torch.jit.load(str(files[0]), map_location="cpu")
        except RuntimeError:
            raise ValidationError(f"{files[0].name} is not TorchScript (a state dict?): give an entry_point whose "
                                  "model_fn(model_dir) builds the module and loads it, or save the model with "
                                  "torch.jit.save(torch.jit.trace(model, example)).") from None
    if not isinstance(module, torch.nn.Module):
        raise ValidationError(f"model_fn returned a {type(module).__name__}, not a torch.nn.Module.")
    return module.eval()


class TorchExporter(Exporter):
    """A torch module (see the module's docstring for where it comes from)."""

    framework = "pytorch"

    def __init__(self, model_dir: Path, code: Mapping[str, Any]) -> None:
        import torch

        torch.set_num_threads(1)
        self.module = load_module(model_dir, code)
        self.answer = {"output": "output0"}
        self.output_count = 1

    def samples(self, input_shape: Mapping[str, list[int]], count: int, seed: int) -> Any:
        import numpy

        if len(input_shape) != 1:
            raise ValidationError(f"input_shape {dict(input_shape)}: give one input, e.g. {{'input0': [1, 3, 32, 32]}} "
                                  "(models of several inputs are not compiled yet).")
        shape = list(next(iter(input_shape.values())))
        return numpy.random.default_rng(seed).standard_normal([count, *shape[1:]]).astype("float32")

    def export(self, samples: Any, input_shape: Mapping[str, list[int]]) -> bytes:
        import torch

        name = next(iter(input_shape))
        example = torch.as_tensor(samples[:1])
        with torch.no_grad():
            answer = self.module(example)
        self.output_count = len(answer) if isinstance(answer, (tuple, list)) else 1
        outputs = [f"output{i}" for i in range(self.output_count)]
        buffer = io.BytesIO()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the TorchScript-based exporter's deprecation notice
                torch.onnx.export(self.module, (example,), buffer, dynamo=False, input_names=[name],
                                  output_names=outputs, dynamic_axes={n: {0: "batch"} for n in [name, *outputs]})
        except Exception as error:
            raise ConversionError(f"torch.onnx.export cannot export this model: {first_line(error)}",
                                  hint="Rewrite the layer named with operators ONNX has (or compute it outside "
                                       "the model), then compile again; or serve the torch model uncompiled.") from None
        return buffer.getvalue()

    def outputs(self, samples: Any) -> list[Any]:
        import torch

        with torch.no_grad():
            answer = self.module(torch.as_tensor(samples))
        answers = answer if isinstance(answer, (tuple, list)) else [answer]
        return [a.numpy() for a in answers]

    def labels(self, outputs: list[Any]) -> Any:
        """A module giving one score per class (2-D, several columns) is taken as a classifier."""
        first = outputs[0]
        return first.argmax(axis=1) if first.ndim == 2 and first.shape[1] > 1 else None
