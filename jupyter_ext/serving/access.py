"""Who may call an endpoint: its invoke token, and the Host and Origin checks that keep
web pages out (DNS rebinding, cross-site `fetch` with a `text/plain` body).

Every request must name the endpoint by a loopback address or the address it binds
(`Host`), and must not come from a foreign web page (`Origin`). `/invocations` also needs
`Authorization: Bearer <token>`: the token is made when the endpoint is created and kept
in a file only the user can read, in the endpoint's folder; the server process reads it
from there, so it is neither on its command line nor in its environment.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

__all__ = ["TOKEN_FILE", "AccessPolicy", "write_token", "read_token", "bearer_header"]

TOKEN_FILE = "invoke-token"
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def write_token(folder: Path) -> str:
    """A new invoke token, written to `folder`/invoke-token readable by the user alone."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    token = secrets.token_urlsafe(32)
    path = folder / TOKEN_FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        os.fchmod(out.fileno(), 0o600)  # an older file keeps its mode through O_CREAT
        out.write(token)
    return token


def read_token(folder: Path) -> str | None:
    """The invoke token kept in `folder`, or None if there is none."""
    try:
        return (folder / TOKEN_FILE).read_text().strip() or None
    except FileNotFoundError:
        return None


def bearer_header(token: str | None) -> dict[str, str]:
    """The Authorization header that carries `token` (none without a token)."""
    return {"Authorization": f"Bearer {token}"} if token else {}


def _host_names(host: str, port: int) -> frozenset[str]:
    bound = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return frozenset(f"{name}:{port}".lower() for name in (*_LOOPBACK, bound))


class AccessPolicy:
    """The checks of endpoint `name` serving on `host`:`port` with `token`.

    `refusal(path, headers)` is None for a request that may go on, else (status,
    error code, message): 403 for an unknown Host or a cross-site request, 401 for a
    missing or wrong token on /invocations (`/ping` and `/execution-parameters` need none).
    """

    def __init__(self, name: str, host: str, port: int, token: str) -> None:
        self.name, self.token = name, token
        self.hosts = _host_names(host, port)
        self.origins = frozenset(f"http://{h}" for h in self.hosts)

    def refusal(self, path: str, headers: Mapping[bytes, bytes]) -> tuple[int, str, str] | None:
        """Why this request is refused, or None."""
        host = headers.get(b"host", b"").decode("latin-1").strip().lower()
        if host not in self.hosts:
            return 403, "AccessDenied", (f"Host {host or '(none)'!r} is not this endpoint's address; call it as "
                                         f"http://{sorted(self.hosts)[0]} (requests for other names are refused "
                                         "so that web pages cannot reach it through DNS).")
        origin = headers.get(b"origin")
        if origin is not None and origin.decode("latin-1").strip().lower() not in self.origins:
            return 403, "AccessDenied", (f"Cross-site request from {origin.decode('latin-1')!r} refused: endpoints "
                                         "answer programs (Predictor, %invoke, the sidebar), not web pages.")
        if headers.get(b"sec-fetch-site", b"") == b"cross-site":
            return 403, "AccessDenied", "Cross-site request refused: endpoints answer programs, not web pages."
        if path == "/invocations" and not self._authorized(headers):
            return 401, "Unauthorized", (
                f"Endpoint {self.name} needs its invoke token: send the header 'Authorization: Bearer <token>'. "
                f"Get the token with `jupyter-ext endpoints token {self.name}` (in Python: "
                f"jupyter_ext.serving.endpoint_token({self.name!r})); Predictor, invoke_endpoint, %invoke and the "
                "sidebar send it for you.")
        return None

    def _authorized(self, headers: Mapping[bytes, bytes]) -> bool:
        scheme, _, given = headers.get(b"authorization", b"").decode("latin-1").strip().partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode())
