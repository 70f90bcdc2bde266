"""Serving magics: %deploy, %invoke, %endpoints, %compile. Each is a few lines over
`jupyter_ext.serving` and raises on failure, so a papermill run fails on its cell."""

from __future__ import annotations

import argparse
import json
from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from ..commands.compile import COMPILE
from ..commands.endpoints import ENDPOINTS, endpoints_table
from ..models import EndpointDescription
from ..serving import (
    DataCaptureConfig, Model, ModelError, Predictor, describe_endpoint, get_deserializer, get_serializer,
    invoke_endpoint,
)
from .dispatch import run_magic, run_table, run_verb

__all__ = ["ServingMagics"]


def _deploy(args: argparse.Namespace) -> Predictor:
    model = args.shell.user_ns.get(args.model)
    if not isinstance(model, Model):
        model = Model(args.model, entry_point=args.entry_point, source_dir=args.source_dir)
    capture = DataCaptureConfig(True, args.sampling, args.capture) if args.capture else None
    predictor = model.deploy(args.name, serializer=get_serializer(args.serializer),
                             deserializer=get_deserializer(args.deserializer), data_capture_config=capture,
                             port=args.port)
    print(f"Endpoint {predictor.endpoint_name}: InService at {describe_endpoint(predictor.endpoint_name).url}")
    if args.out:
        args.shell.user_ns[args.out] = predictor
    return predictor


def _invoke(args: argparse.Namespace) -> None:
    response = invoke_endpoint(args.endpoint, " ".join(args.data), args.content_type, args.accept,
                               args.target_variant, args.inference_id)
    if response.status_code >= 400:
        raise ModelError(args.endpoint, response.status_code, response.body)
    print(f"[{response.invoked_variant}, {response.latency_ms:.1f} ms] {response.body}")


def _print_list(endpoints: list[EndpointDescription], args: argparse.Namespace) -> Any:
    if args.json:
        return [e.to_dict() for e in endpoints]
    print(endpoints_table(endpoints))
    return None


def _print_records(records: list[dict[str, Any]], args: argparse.Namespace) -> None:
    for record in records:
        print(json.dumps(record, indent=1))


@magics_class
class ServingMagics(Magics):
    """Magics to deploy models to local endpoints and call them."""

    @magic_arguments()
    @argument("model", help="a model.tar.gz / model file / folder, or the name of a Model variable")
    @argument("--name", help="the endpoint name (default: <model>-<timestamp>)")
    @argument("--entry-point", help="a script with model_fn / input_fn / predict_fn / output_fn")
    @argument("--source-dir", help="the folder holding the entry point")
    @argument("--port", type=int, default=None, help="the port on 127.0.0.1 (default: a free one)")
    @argument("--capture", metavar="FOLDER", help="capture requests and responses into FOLDER")
    @argument("--sampling", type=float, default=100.0, help="percentage of requests captured (with --capture)")
    @argument("--serializer", default="json", help="csv, json, jsonlines, npy or identity")
    @argument("--deserializer", default="json", help="csv, json, jsonlines, npy, pandas, string or bytes")
    @argument("--out", metavar="VAR", help="store the Predictor in this variable")
    @line_magic
    def deploy(self, line: str) -> Predictor:
        """Deploy a model to a local endpoint (a process that outlives the kernel).

        Example: %deploy model.tar.gz --name churn --serializer csv --capture captured/ --out predictor
        """
        return run_magic(self.deploy, line, _deploy, self.shell)

    @magic_arguments()
    @argument("endpoint", help="the endpoint's name")
    @argument("data", nargs="*", help="the request body (words joined by spaces)")
    @argument("--content-type", default="application/json", help="the body's type: text/csv, application/json, ...")
    @argument("--accept", default=None, help="the response type to ask for")
    @argument("--target-variant", default=None, help="send to this variant instead of by weight")
    @argument("--inference-id", default=None, help="an id recorded with captured data")
    @line_magic
    def invoke(self, line: str) -> None:
        """Send one request to an endpoint and print the answer (an error answer raises).

        Example: %invoke churn 5.1,3.5,1.4,0.2 --content-type text/csv --target-variant B
        """
        return run_magic(self.invoke, line, _invoke, self.shell)

    @line_magic
    def compile(self, line: str) -> Model:
        """Compile a model for a target with ONNX Runtime (a Compilation job) and return the
        compiled Model, as `jupyter-ext compile` does; MODEL may name a Model, torch module or
        scikit-learn variable.

        Example: compiled = %compile net --shape input0=1,3,32,32 --target ml_c5
        """
        return run_verb(COMPILE, "compile", line, self.shell, lambda result, args: result)

    @line_magic
    def endpoints(self, line: str) -> Any:
        """List (the default), describe or delete endpoints, as `jupyter-ext endpoints` does.

        Example: %endpoints  |  %endpoints describe churn  |  %endpoints delete churn  |  %endpoints delete --all
        """
        return run_table(ENDPOINTS, line, self.shell, render={"list": _print_list, "describe": _print_records})
