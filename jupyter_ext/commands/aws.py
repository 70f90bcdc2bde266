"""The local AWS endpoint's verbs: `jupyter-ext aws serve|status|stop|env`.

    serve [--host 127.0.0.1] [--port 4566] [--s3-port PORT] [--region us-east-1] [--detach]
    status | stop | env | operations

`env` prints the `export` lines that point boto3, the SageMaker SDK and the AWS CLI at
the running endpoint: `eval "$(jupyter-ext aws env)"`.
"""

from __future__ import annotations

import argparse
import json
import shlex

from ..errors import ConflictError, NotFoundError
from . import Verb, VerbTable, arg

__all__ = ["AWS", "export_lines"]


def _serve_args(args: argparse.Namespace) -> list[str]:
    argv = ["--host", args.host, "--port", str(args.port), "--region", args.region]
    return argv + (["--s3-port", str(args.s3_port)] if args.s3_port is not None else [])


def _serve(args: argparse.Namespace) -> None:
    from ..aws import AwsService, detached_service

    if args.detach:
        state = detached_service().start(_serve_args(args))
        print(f"AWS endpoint on {state['url']} (S3 on {state['s3_url']}, pid {state['pid']}). "
              "Point a shell at it with: eval \"$(jupyter-ext aws env)\"")
        return
    service = AwsService(args.host, args.port, args.s3_port, args.region)

    def record(running: AwsService) -> None:
        detached_service().write_state(running.url, s3_url=running.s3_url, region=running.region)

    service.serve_forever(on_ready=record if args.record_state else None)


def _running() -> dict:
    from ..aws import running_service

    state = running_service()
    if state is None:
        raise NotFoundError("No AWS endpoint is running: start one with `jupyter-ext aws serve --detach` "
                            "(a Jupyter server with jupyter_ext starts one too).")
    return state


def export_lines(environment: dict[str, str]) -> str:
    """`export NAME=value` lines a POSIX shell can eval."""
    return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in environment.items())


def _status(args: argparse.Namespace) -> None:
    from ..aws import detached_service

    state = _running()
    print(json.dumps({**state, "log": str(detached_service().log_path)}))


def _stop(args: argparse.Namespace) -> None:
    from ..aws import detached_service

    state = _running()
    if state.get("in_jupyter_server"):
        raise ConflictError(f"The AWS endpoint at {state['url']} runs inside the Jupyter server (pid {state['pid']}) "
                            "and stops with it.")
    print(f"Stopped the AWS endpoint (pid {detached_service().stop()}).")


def _env(args: argparse.Namespace) -> None:
    from ..aws import aws_environment

    state = _running()
    print(export_lines(aws_environment(state["url"], state["s3_url"], state.get("region") or args.region)))


def _operations(args: argparse.Namespace) -> None:
    from ..aws.operations import operations_markdown

    print(operations_markdown())


_SERVE = (
    arg("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"),
    arg("--port", type=int, default=4566, help="port of the AWS APIs (default 4566; 0 = any free port)"),
    arg("--s3-port", type=int, default=None, help="port of S3 (default: the next port; any free one with --port 0)"),
    arg("--region", default="us-east-1", help="the region clients are told to use (default us-east-1)"),
    arg("--detach", action="store_true", help="run in a process of its own (see `aws status`/`stop`)"),
    arg("--record-state", action="store_true", help=argparse.SUPPRESS),
)

AWS = VerbTable("aws", "the local AWS endpoint (SageMaker, S3, CloudWatch Logs) for boto3, the SDK and the CLI", (
    Verb("serve", "serve SageMaker's, S3's and CloudWatch's APIs over jupyter_ext", _serve, _SERVE,
         surfaces=frozenset({"cli"})),
    Verb("status", "the running endpoint's URLs, pid and log", _status, surfaces=frozenset({"cli"})),
    Verb("stop", "stop the detached endpoint", _stop, surfaces=frozenset({"cli"})),
    Verb("operations", "list the operations served, by service", _operations, surfaces=frozenset({"cli"})),
    Verb("env", "print the export lines that point a shell's AWS clients here", _env,
         (arg("--region", default="us-east-1", help=argparse.SUPPRESS),), surfaces=frozenset({"cli"})),
))
