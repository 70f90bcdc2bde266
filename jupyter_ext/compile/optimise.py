"""Optimising an exported ONNX model for its target with ONNX Runtime: dynamic int8
quantisation of the weights where the plan asks for it, then the graph optimisations of the
plan's level, saved as the model to serve (so serving starts from the optimised graph)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from ..serving.onnx_model import onnx_session
from .targets import CompilationPlan

__all__ = ["optimise"]


def _quantise(source: Path, target: Path) -> list[str]:
    """Dynamic int8 quantisation of `source` into `target`; the operator types quantised.

    Weights take 7 bits (`reduce_range`): x86 CPUs without VNNI multiply uint8 activations by
    int8 weights in 16-bit sums that saturate on full-range weights (a small MLP differed by
    16 % from its original), and a compiled model must answer alike on every CPU it meets."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(logging.ERROR)  # its advice to pre-process first goes to the root logger
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, reduce_range=True)
    before = {node.op_type for node in onnx.load(str(source)).graph.node}
    after = {node.op_type for node in onnx.load(str(target)).graph.node}
    return sorted(after - before)


def optimise(exported: bytes, plan: CompilationPlan, target: Path) -> dict[str, Any]:
    """Write the model to serve to `target` and return what was done: the optimisation level,
    the quantisation (with the int8 operators it brought in) and the node counts."""
    import onnx

    done: dict[str, Any] = {"optimization_level": plan.optimization_level, "quantization": None,
                            "precision": "fp32", "nodes_exported": len(onnx.load_from_string(exported).graph.node)}
    with tempfile.TemporaryDirectory(prefix="jupyter-ext-compile-") as scratch:
        model = Path(scratch) / "exported.onnx"
        model.write_bytes(exported)
        if plan.quantization == "int8-dynamic":
            quantised = Path(scratch) / "quantised.onnx"
            operators = _quantise(model, quantised)
            done.update(quantization={"method": "dynamic", "weight_type": "int8", "weight_bits": 7, "operators": operators},
                        precision="int8 weights" if operators else "fp32 (nothing to quantise)")
            model = quantised
        _save_optimised(model, plan.optimization_level, target)
    done["nodes_compiled"] = len(onnx.load(str(target)).graph.node)
    return done


def _save_optimised(model: Path, level: str, target: Path) -> None:
    """ONNX Runtime's optimised graph of `model` at `level`, written to `target`."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = {"all": onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL,
                                        "extended": onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED}[level]
    options.optimized_model_filepath = str(target)
    options.intra_op_num_threads = 1
    options.log_severity_level = 3  # the note that an "all" graph suits this machine: it is served here
    onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    if not target.is_file():  # nothing written: serve the model as it came
        target.write_bytes(model.read_bytes())
    onnx_session(target)  # the saved graph loads again (raises if not)
