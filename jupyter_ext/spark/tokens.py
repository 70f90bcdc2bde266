"""The Livy gateway's token, and how our clients find it.

The token is generated once and kept in `<jupyter_ext home>/livy/token` (mode 0600);
every gateway started with that home requires it. A running gateway records itself in
`<home>/livy/gateways/<port>.json`, so our clients (`LivyClient`, sparkmagic through
`GatewayTokenAdapter`, pylivy through `livy_requests_session`) send the token to that
gateway only, never to another Livy server. `$JUPYTER_EXT_LIVY_TOKEN` gives the token
to send to any other URL (a gateway started under another home).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests

from ..jobs.process import is_alive, this_process

__all__ = ["token_file", "gateway_token", "record_gateway", "forget_gateway", "token_for",
           "livy_requests_session", "LOOPBACK_NAMES", "TOKEN_VARIABLE", "NO_AUTH_WARNING"]

TOKEN_VARIABLE = "JUPYTER_EXT_LIVY_TOKEN"
NO_AUTH_WARNING = ("WARNING: the Livy gateway runs without a token (auth off): any process on this machine, "
                   "of any user, may run code through it as you (web pages are still refused).")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def _livy_folder() -> Path:
    from ..store.metadata import home

    return home() / "livy"


def token_file() -> Path:
    """Where the gateway's token is kept: `<jupyter_ext home>/livy/token`."""
    return _livy_folder() / "token"


def gateway_token() -> str:
    """The gateway's token, generated on first use (readable by this user only)."""
    path = token_file()
    return _read_token(path) or _new_token(path)


def _read_token(path: Path) -> str:
    try:
        token = path.read_text().strip()
    except FileNotFoundError:
        return ""
    if token and path.stat().st_mode & 0o077:
        path.chmod(0o600)  # a token others can read protects nothing
    return token


def _new_token(path: Path) -> str:
    """Write a new token to `path`; when another process wrote one first, that one counts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    temporary = path.with_name(f".token-{os.getpid()}-{secrets.token_hex(4)}")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w") as file:
        file.write(token + "\n")
    try:
        os.link(temporary, path)  # never over another process's token
    except FileExistsError:
        first = _read_token(path)
        if first:
            return first
        os.replace(temporary, path)  # an emptied file
    except OSError:  # a filesystem without hard links
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return token


def _record_path(port: int) -> Path:
    return _livy_folder() / "gateways" / f"{port}.json"


def record_gateway(host: str, port: int) -> Path:
    """Record this process as a gateway of this home listening on `host:port`; returns
    the record's path (for `forget_gateway`)."""
    path = _record_path(port)
    path.parent.mkdir(parents=True, exist_ok=True)
    me = this_process()
    path.write_text(json.dumps({"pid": me.pid, "started": me.started, "host": host, "port": port}))
    return path


def forget_gateway(record: Path) -> None:
    """Remove a record `record_gateway` wrote, unless another process wrote it since."""
    found = _read_record(record)
    if found is not None and found.get("pid") == os.getpid():
        record.unlink(missing_ok=True)


def _read_record(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _port(url: str) -> tuple[str, int] | None:
    parsed = urlparse(url)
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError:
        return None
    return (parsed.hostname or "").lower(), port


def token_for(url: str) -> str | None:
    """The token to send to the Livy server at `url`: this home's token if `url` names a
    running gateway of this home (by a loopback name or the host it binds), else
    `$JUPYTER_EXT_LIVY_TOKEN`, else None."""
    where = _port(url)
    if where is not None:
        host, port = where
        record = _read_record(_record_path(port))
        if record and is_alive(int(record.get("pid", 0)), record.get("started")) \
                and host in (*LOOPBACK_NAMES, str(record.get("host", "")).lower()):
            return gateway_token()
    return os.environ.get(TOKEN_VARIABLE) or None


def livy_requests_session(url: str) -> requests.Session:
    """A `requests.Session` for the Livy server at `url`: it sends `X-Requested-By` and,
    when `url` is our gateway, its token. Pass it to pylivy as `requests_session=`."""
    session = requests.Session()
    session.headers.update({"X-Requested-By": "jupyter_ext"})
    token = token_for(url)
    if token:
        session.headers["Authorization"] = f"token {token}"
    return session
