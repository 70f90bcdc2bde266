"""Serving magics: %deploy, %invoke, %endpoints. Each is a few lines over
`jupyter_ext.serving` and raises on failure, so a papermill run fails on its cell."""

from __future__ import annotations

import json
from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments
from IPython.utils.process import arg_split

from ..errors import ValidationError
from ..serving.display import endpoints_table
from ..serving import (
    DataCaptureConfig, Model, ModelError, Predictor, delete_endpoint, describe_endpoint, get_deserializer,
    get_serializer, invoke_endpoint, list_endpoints,
)

__all__ = ["ServingMagics"]


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
        args = self.deploy.parser.parse_args(arg_split(line, posix=True))
        model = self.shell.user_ns.get(args.model)
        if not isinstance(model, Model):
            model = Model(args.model, entry_point=args.entry_point, source_dir=args.source_dir)
        capture = DataCaptureConfig(True, args.sampling, args.capture) if args.capture else None
        predictor = model.deploy(args.name, serializer=get_serializer(args.serializer),
                                 deserializer=get_deserializer(args.deserializer), data_capture_config=capture,
                                 port=args.port)
        print(f"Endpoint {predictor.endpoint_name}: InService at {describe_endpoint(predictor.endpoint_name).url}")
        if args.out:
            self.shell.user_ns[args.out] = predictor
        return predictor

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
        args = self.invoke.parser.parse_args(arg_split(line, posix=True))
        response = invoke_endpoint(args.endpoint, " ".join(args.data), args.content_type, args.accept,
                                   args.target_variant, args.inference_id)
        if response.status_code >= 400:
            raise ModelError(args.endpoint, response.status_code, response.body)
        print(f"[{response.invoked_variant}, {response.latency_ms:.1f} ms] {response.body}")

    @magic_arguments()
    @argument("action", nargs="?", default="list", help="list (default), describe or delete")
    @argument("names", nargs="*", help="endpoint names (describe, delete)")
    @argument("--all", action="store_true", help="with delete: every endpoint")
    @line_magic
    def endpoints(self, line: str) -> Any:
        """List, describe or delete endpoints.

        Example: %endpoints  |  %endpoints describe churn  |  %endpoints delete churn  |  %endpoints delete --all
        """
        args = self.endpoints.parser.parse_args(arg_split(line, posix=True))
        if args.action == "list":
            print(endpoints_table(list_endpoints()))
        elif args.action == "describe":
            for name in args.names:
                print(json.dumps(describe_endpoint(name).to_dict(), indent=1))
        elif args.action == "delete":
            names = [e.name for e in list_endpoints()] if args.all else args.names
            for name in names:
                delete_endpoint(name)
                print(f"Deleted endpoint {name}")
        else:
            raise ValidationError(f"%endpoints {args.action}: use list, describe NAME or delete NAME.")
