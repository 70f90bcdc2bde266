"""`jupyter-ext livy ...`: serve the gateway, stop it, point sparkmagic at a Livy URL.

    jupyter-ext livy serve [--host 127.0.0.1] [--port 8998] [--master local[*]] [--detach]
                           [--conf KEY=VALUE]... [--allow-folder DIR]... [--csrf]
                           [--username U --password P] [--idle-timeout SECONDS]
    jupyter-ext livy status | stop
    jupyter-ext livy configure [--url URL] [--config PATH] [--username U --password P]
                               [--interactive] [--install-kernel [--user | --prefix DIR]]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..errors import ValidationError

__all__ = ["add_livy_commands"]

_SERVE_OPTIONS = ("host", "port", "master", "conf", "allow_folder", "username", "password", "csrf",
                  "idle_timeout", "lenient")


def _conf(pairs: list[str]) -> dict[str, str]:
    conf = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValidationError(f"--conf takes KEY=VALUE (e.g. spark.ui.enabled=false); got {pair!r}.")
        conf[key] = value
    return conf


def _serve_args(args: argparse.Namespace) -> list[str]:
    """The same serve options, as arguments for a detached gateway."""
    argv = ["--host", args.host, "--port", str(args.port), "--master", args.master,
            "--idle-timeout", str(args.idle_timeout)]
    argv += [f"--conf={pair}" for pair in args.conf] + [f"--allow-folder={d}" for d in args.allow_folder]
    if args.username:
        argv += ["--username", args.username, "--password", args.password or ""]
    return argv + ["--csrf"] * args.csrf + ["--lenient"] * args.lenient


def _serve(args: argparse.Namespace) -> None:
    from .gateway import LivyGateway
    from .service import start_detached, write_state

    if args.detach:
        state = start_detached(_serve_args(args))
        print(f"Livy gateway on {state['url']} (pid {state['pid']})")
        return
    gateway = LivyGateway(host=args.host, port=args.port, master=args.master, conf=_conf(args.conf),
                          allowed_folders=args.allow_folder or None, username=args.username,
                          password=args.password, csrf=args.csrf, idle_timeout=args.idle_timeout,
                          lenient=args.lenient)
    gateway.serve_forever(on_ready=write_state if args.record_state else None)


def _status(args: argparse.Namespace) -> None:
    from .service import running_gateway

    state = running_gateway()
    print(json.dumps(state) if state else "No detached Livy gateway is running.")


def _stop(args: argparse.Namespace) -> None:
    from .service import stop_detached

    print(f"Stopped the Livy gateway (pid {stop_detached()}).")


def _configure(args: argparse.Namespace) -> None:
    from .client import default_livy_url
    from .sparkmagic import configure_sparkmagic, install_pyspark_kernel

    url = args.url or default_livy_url()
    path = configure_sparkmagic(url, args.config, headless=not args.interactive,
                                username=args.username, password=args.password)
    print(f"sparkmagic now uses Livy at {url} ({path})")
    if args.install_kernel:
        print(f"Installed the PySpark kernel in {install_pyspark_kernel(args.prefix, args.user)}")


def _serve_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8998, help="port (default 8998; 0 = any free port)")
    parser.add_argument("--master", default="local[*]", help="spark.master of sessions and batches")
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="a Spark setting")
    parser.add_argument("--allow-folder", action="append", default=[], metavar="DIR",
                        help="batches may run files under DIR (default: this folder and the jupyter_ext home)")
    parser.add_argument("--username", help="turn on HTTP Basic auth")
    parser.add_argument("--password")
    parser.add_argument("--csrf", action="store_true", help="require X-Requested-By on POST/DELETE, as Livy's CSRF check")
    parser.add_argument("--idle-timeout", type=float, default=3600.0, help="seconds before an idle session is collected")
    parser.add_argument("--lenient", action="store_true", help="ignore unknown request fields instead of 400")
    parser.add_argument("--detach", action="store_true", help="run in the background (see `livy status`/`stop`)")
    parser.add_argument("--record-state", action="store_true", help=argparse.SUPPRESS)


def add_livy_commands(groups: Any) -> None:
    """Add the `livy` command group to the `jupyter-ext` parser's subcommands."""
    livy = groups.add_parser("livy", help="the embedded Livy gateway and sparkmagic set-up").add_subparsers(
        dest="command", required=True)
    serve = livy.add_parser("serve", help="serve Livy's REST API with local Spark")
    _serve_parser(serve)
    serve.set_defaults(run=_serve)
    livy.add_parser("status", help="the detached gateway's URL and pid").set_defaults(run=_status)
    livy.add_parser("stop", help="stop the detached gateway").set_defaults(run=_stop)
    configure = livy.add_parser("configure", help="point sparkmagic at a Livy URL, for unattended runs")
    configure.add_argument("--url", help="Livy URL (default: $JUPYTER_EXT_LIVY_URL, the detached gateway, or :8998)")
    configure.add_argument("--config", help="sparkmagic config file (default ~/.sparkmagic/config.json)")
    configure.add_argument("--username")
    configure.add_argument("--password")
    configure.add_argument("--interactive", action="store_true", help="keep auto-visualisation; errors not fatal")
    configure.add_argument("--install-kernel", action="store_true", help="also install the PySpark wrapper kernel")
    configure.add_argument("--user", action="store_true", help="install the kernel for this user only")
    configure.add_argument("--prefix", help="install the kernel under PREFIX/share/jupyter/kernels")
    configure.set_defaults(run=_configure)


