"""The compile verb: `jupyter-ext compile MODEL --target ml_c5 --shape input0=1,3,32,32` and
`%compile MODEL ...` (where MODEL may also name a notebook variable: a Model, a torch
module or a fitted scikit-learn estimator)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..compile import compile_model
from ..errors import ValidationError
from . import Verb, arg

__all__ = ["COMPILE", "parse_shape"]


def parse_shape(text: str | None) -> dict[str, list[int]] | None:
    """`input0=1,3,32,32` (several joined by `;`) or JSON `{"input0": [1, 3, 32, 32]}`."""
    if not text:
        return None
    if text.lstrip().startswith("{"):
        return json.loads(text)
    shape: dict[str, list[int]] = {}
    for part in text.split(";"):
        name, _, dims = part.partition("=")
        try:
            shape[name.strip()] = [int(d) for d in dims.split(",")]
        except ValueError:
            raise ValidationError(f"--shape {text!r}: give NAME=D1,D2,... (e.g. input0=1,3,32,32) or JSON.") from None
        if not name.strip():
            raise ValidationError(f"--shape {text!r}: give NAME=D1,D2,... (e.g. input0=1,3,32,32) or JSON.")
    return shape


def _model(args: argparse.Namespace) -> Any:
    shell = getattr(args, "shell", None)
    if shell is not None and args.model in shell.user_ns:
        return shell.user_ns[args.model]
    return args.model


def _compile(args: argparse.Namespace) -> Any:
    compiled = compile_model(_model(args), args.target, parse_shape(args.shape), args.output_path, args.framework,
                             args.framework_version, args.tolerance, args.samples, args.name, logs=not args.quiet)
    print(f"Compiled model: {compiled.model_data}")
    return compiled


COMPILE = Verb("compile", "compile a model for a target with ONNX Runtime (a Compilation job)", _compile, (
    arg("model", help="a model.tar.gz, model file or folder (in a notebook also a Model, torch module or "
                      "scikit-learn variable)"),
    arg("--target", default="ml_c5", help="target_instance_family: ml_c5, ml_m5, lambda, rasp4b, ... (default ml_c5)"),
    arg("--shape", help="input shape, batch first: input0=1,3,32,32 (needed for torch models)"),
    arg("--framework", help="pytorch, sklearn or xgboost (default: told by the artifact's files)"),
    arg("--framework-version", help="the framework version the model was trained with"),
    arg("--output-path", help="where the compiled model.tar.gz goes (default: the artifacts folder)"),
    arg("--tolerance", type=float, help="largest relative difference allowed against the original"),
    arg("--samples", help="sample inputs to check with: a .npy or .csv file (default: drawn from the shape)"),
    arg("--name", help="the compilation job's name"),
    arg("--quiet", action="store_true", help="do not print the job's log"),
))
