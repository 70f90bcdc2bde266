"""Compiling models for fast inference and the edge (SageMaker Neo's role) with ONNX and ONNX
Runtime: a "Compilation" job exports the model to ONNX (torch.onnx.export, skl2onnx,
onnxmltools), optimises it for the target (graph optimisations; dynamic int8 quantisation
for edge devices), checks it against the original on sample inputs and writes a
model.tar.gz that endpoints and batch transform serve with ONNX Runtime.

    from jupyter_ext.compile import compile_model
    compiled = compile_model(model, "ml_c5", {"input0": [1, 3, 32, 32]})
    compiled.deploy()
"""

from __future__ import annotations

from .exporters import EXPORTERS, ConversionError, Exporter
from .job import CompilationJob, compile_model, compiled_model, start_compilation
from .targets import TARGETS, CompilationPlan, Tolerance, plan_for, tolerance_for

__all__ = ["EXPORTERS", "TARGETS", "CompilationJob", "CompilationPlan", "ConversionError", "Exporter", "Tolerance",
           "compile_model", "compiled_model", "plan_for", "start_compilation", "tolerance_for"]
