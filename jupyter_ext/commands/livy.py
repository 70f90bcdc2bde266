"""The Livy verbs: `jupyter-ext livy ...` and `%livy ...`.

    serve [--host 127.0.0.1] [--port 8998] [--master local[*]] [--detach] [--conf KEY=VALUE]...
          [--allow-folder DIR]... [--no-auth] [--no-csrf] [--username U --password P]
          [--idle-timeout SECONDS]
    status [--url URL] | stop | token
    configure [--url URL] [--config PATH] [--username U --password P]
              [--interactive] [--install-kernel [--user | --prefix DIR]]

From the command line `serve` serves in the foreground (or `--detach`ed); `%livy` serves
from the kernel (on any free port by default) and points sparkmagic at it: the magic
gives its own handlers for those verbs, with these same options.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from . import Verb, VerbTable, arg
from .text import parse_pairs

__all__ = ["LIVY", "gateway_options", "print_overview", "token_line"]


def gateway_options(args: argparse.Namespace) -> dict[str, Any]:
    """The `serve` options as LivyGateway keyword arguments."""
    return dict(host=args.host, port=args.port, master=args.master, conf=parse_pairs(args.conf, "--conf"),
                allowed_folders=args.allow_folder or None, username=args.username, password=args.password,
                auth=args.auth, csrf=args.csrf, idle_timeout=args.idle_timeout, lenient=args.lenient)


def _serve_args(args: argparse.Namespace) -> list[str]:
    """The same serve options, as arguments for a detached gateway."""
    argv = ["--host", args.host, "--port", str(args.port), "--master", args.master,
            "--idle-timeout", str(args.idle_timeout)]
    argv += [f"--conf={pair}" for pair in args.conf] + [f"--allow-folder={d}" for d in args.allow_folder]
    if args.username:
        argv += ["--username", args.username, "--password", args.password or ""]
    return argv + ["--no-csrf"] * (not args.csrf) + ["--no-auth"] * (not args.auth) + ["--lenient"] * args.lenient


def token_line(show: bool) -> str:
    """How callers get the gateway's token: the token itself with `show` (in a terminal),
    else where it is kept (logs and notebook outputs get kept and shared)."""
    from ..spark import gateway_token, token_file

    if show:
        return f"Token: {gateway_token()} (kept in {token_file()}; `jupyter-ext livy token` prints it)"
    return f"Callers need its token: `jupyter-ext livy token` (`%livy token`) prints it; it is kept in {token_file()}"


def serve_detached(args: argparse.Namespace, show_token: bool | None = None) -> None:
    """Start a gateway in its own process (see `livy status`, `livy stop`); print its URL
    and how to get its token (the token itself when `show_token`, by default in a terminal)."""
    from ..spark import start_detached
    from ..spark.tokens import NO_AUTH_WARNING

    parse_pairs(args.conf, "--conf")  # a bad --conf fails here, not in the background
    state = start_detached(_serve_args(args))
    print(f"Livy gateway on {state['url']} (pid {state['pid']})")
    if not args.auth:
        print(NO_AUTH_WARNING, file=sys.stderr)
    else:
        print(token_line(sys.stdout.isatty() if show_token is None else show_token))


def _serve(args: argparse.Namespace) -> None:
    from ..spark import LivyGateway, write_state

    if args.detach:
        serve_detached(args)
        return
    gateway = LivyGateway(**gateway_options(args))
    if args.auth:  # (the gateway warns without)
        print(token_line(sys.stdout.isatty()), flush=True)
    gateway.serve_forever(on_ready=write_state if args.record_state else None)


def print_overview(url: str | None) -> None:
    """Print what the Livy server at `url` runs (unreachable is said, not raised)."""
    from ..spark import describe_livy

    overview = describe_livy(url)
    if not overview.reachable:
        print(f"Livy at {overview.url}: unreachable ({overview.message})")
        return
    print(f"Livy {overview.version} at {overview.url}: {len(overview.sessions)} session(s), "
          f"{len(overview.batches)} batch(es)")
    for session in overview.sessions:
        print(f"  session {session.id} {session.name or ''} {session.kind} {session.state}")
    for batch in overview.batches:
        print(f"  batch {batch.id} {batch.name or ''} {batch.state}")


def _status(args: argparse.Namespace) -> None:
    from ..spark import running_gateway

    if args.url:
        print_overview(args.url)
        return
    state = running_gateway()
    print(json.dumps(state) if state else "No detached Livy gateway is running.")


def _stop(args: argparse.Namespace) -> None:
    from ..spark import stop_detached

    print(f"Stopped the Livy gateway (pid {stop_detached()}).")


def _token(args: argparse.Namespace) -> None:
    from ..spark import gateway_token

    print(gateway_token())


def _configure(args: argparse.Namespace) -> None:
    from ..spark import configure_sparkmagic, default_livy_url, token_for

    url = args.url or default_livy_url()
    path = configure_sparkmagic(url, args.config, headless=not args.interactive,
                                username=args.username, password=args.password)
    token = ", with the gateway's token" if token_for(url) and not args.username else ""
    print(f"sparkmagic now uses Livy at {url}{token} ({path})")
    install_kernel(args)


def install_kernel(args: argparse.Namespace) -> None:
    """With `--install-kernel`, install sparkmagic's PySpark kernel where asked."""
    from ..spark import install_pyspark_kernel

    if args.install_kernel:
        print(f"Installed the PySpark kernel in {install_pyspark_kernel(args.prefix, args.user)}")


_SERVE = (
    arg("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"),
    arg("--port", type=int, default=8998, help="port (default 8998, in a notebook 0; 0 = any free port)"),
    arg("--master", default="local[*]", help="spark.master of sessions and batches"),
    arg("--conf", action="append", default=[], metavar="KEY=VALUE", help="a Spark setting (repeatable)"),
    arg("--allow-folder", action="append", default=[], metavar="DIR",
        help="batches may run files under DIR (default: this folder and the jupyter_ext home)"),
    arg("--no-auth", dest="auth", action="store_false",
        help="accept callers without the token (any local process may then run code; a warning is printed)"),
    arg("--username", help="also accept HTTP Basic auth with this user name"),
    arg("--password"),
    arg("--csrf", dest="csrf", action="store_true", default=True,
        help="require X-Requested-By on POST/DELETE, as Livy's CSRF check (the default)"),
    arg("--no-csrf", dest="csrf", action="store_false", help="do not require X-Requested-By"),
    arg("--idle-timeout", type=float, default=3600.0, help="seconds before an idle session is collected"),
    arg("--lenient", action="store_true", help="ignore unknown request fields instead of 400"),
    arg("--detach", action="store_true", help="run in a process of its own (see `livy status`/`stop`)"),
    arg("--record-state", action="store_true", help=argparse.SUPPRESS),
)

_CONFIGURE = (
    arg("--url", help="Livy URL (default: this kernel's gateway, $JUPYTER_EXT_LIVY_URL, the detached gateway, "
        "or :8998)"),
    arg("--config", help="sparkmagic config file (default ~/.sparkmagic/config.json)"),
    arg("--username"),
    arg("--password"),
    arg("--interactive", action="store_true", help="keep auto-visualisation; errors not fatal"),
    arg("--install-kernel", action="store_true", help="also install the PySpark wrapper kernel"),
    arg("--user", action="store_true", help="install the kernel for this user only"),
    arg("--prefix", help="install the kernel under PREFIX/share/jupyter/kernels"),
)

LIVY = VerbTable("livy", "the embedded Livy gateway and sparkmagic set-up", (
    Verb("serve", "serve Livy's REST API with local Spark", _serve, _SERVE, magic_defaults={"port": 0}),
    Verb("status", "the gateway's URL and what it runs", _status, (
        arg("--url", help="a Livy URL to look at (default: the detached gateway; in a notebook, its own)"),
    )),
    Verb("stop", "stop the gateway", _stop),
    Verb("token", "print the token callers of the gateway send", _token),
    Verb("configure", "point sparkmagic at a Livy URL, for unattended runs", _configure, _CONFIGURE),
))
