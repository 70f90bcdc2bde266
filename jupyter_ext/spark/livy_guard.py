"""Who may call the Livy gateway: the checks every request passes before its route runs.

In order: the `Host` must be one of the gateway's own names (a page that reached it by
another name, DNS rebinding, is refused); a browser's `Origin` must be the gateway's own;
the caller must send the token (or the Basic credentials the gateway was given);
changing requests must carry `X-Requested-By`, as Livy's CSRF protection requires.
Refusals are `LivyError`s in Livy's `{"msg": ...}` shape.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from .sessions import LivyError
from .tokens import LOOPBACK_NAMES, token_file

__all__ = ["RequestGuard", "WILDCARD_HOSTS"]

WILDCARD_HOSTS = ("0.0.0.0", "::", "")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _netloc(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _same(given: str, expected: str | None) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), str(expected).encode())


@dataclass(frozen=True)
class RequestGuard:
    """The checks for a gateway bound to `host:port`.

    `token` None turns the token off (`token_path` is where users find it); `username`/
    `password` are Basic credentials accepted besides it; `csrf` requires `X-Requested-By`
    on POST and DELETE. A gateway bound to every interface (0.0.0.0) answers to any
    `Host`: the token is then its guard.
    """

    host: str
    port: int
    token: str | None
    username: str | None = None
    password: str | None = None
    csrf: bool = True
    token_path: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The `host:port` values a request's Host may have."""
        hosts = [*LOOPBACK_NAMES, *([] if self.host in WILDCARD_HOSTS else [self.host])]
        return tuple(_netloc(host, self.port).lower() for host in dict.fromkeys(hosts))

    def check(self, method: str, headers: Mapping[str, str]) -> None:
        """Raise the LivyError that refuses this request, if any."""
        self._check_host(headers.get("Host"))
        self._check_origin(headers.get("Origin"), headers.get("Host"))
        if not self._authenticated(headers.get("Authorization", "")):
            raise LivyError(401, {"msg": self._login_hint()})
        if self.csrf and method not in SAFE_METHODS and "X-Requested-By" not in headers:
            raise LivyError(400, {"msg": "Missing Required Header for CSRF protection: send X-Requested-By "
                                         "(any value) with POST and DELETE, as Livy requires."})

    def _check_host(self, host: str | None) -> None:
        if host is None or self.host in WILDCARD_HOSTS:
            return
        if host.lower() not in self.names and f"{host.lower()}:80" not in self.names:
            raise LivyError(403, {"msg": f"Refused: this Livy gateway answers to {', '.join(self.names)}, "
                                         f"not to Host {host!r} (a page reaching it by another name is refused)."})

    def _check_origin(self, origin: str | None, host: str | None) -> None:
        if origin is None:
            return  # not a browser: the token decides
        allowed = {f"{scheme}://{name}" for scheme in ("http", "https") for name in self.names}
        if host and self.host in WILDCARD_HOSTS:
            allowed |= {f"http://{host.lower()}", f"https://{host.lower()}"}
        if origin.lower().rstrip("/") not in allowed:
            raise LivyError(403, {"msg": f"Refused: a web page of {origin} may not call this Livy gateway; only "
                                         f"its own origin (http://{self.names[0]}) may call it from a browser."})

    def _authenticated(self, header: str) -> bool:
        if self.token is None and not self.username:
            return True
        scheme, _, value = header.partition(" ")
        scheme, value = scheme.lower(), value.strip()
        if scheme in ("token", "bearer"):
            return _same(value, self.token)
        if scheme != "basic":
            return False
        try:
            given = base64.b64decode(value, validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return False
        _user, _, password = given.partition(":")
        basic = f"{self.username}:{self.password or ''}" if self.username else None
        return _same(password, self.token) or _same(given, basic)

    def _login_hint(self) -> str:
        ways = []
        if self.token is not None:
            ways.append("the gateway's token as `Authorization: token <token>` (or as the password of Basic "
                        f"auth); `jupyter-ext livy token` prints it, and it is kept in {self.token_path or token_file()}")
        if self.username:
            ways.append("the HTTP Basic credentials the gateway was started with")
        return f"Authentication required: send {', or '.join(ways)}."
