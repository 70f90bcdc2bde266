"""Who may call a server we start on this machine: the `Host` and `Origin` checks that
keep web pages out (DNS rebinding; a cross-site `fetch` with a simple body).

A request must name the server by a loopback address or the address it binds (`Host`),
and must not come from another site's page (`Origin`, `Sec-Fetch-Site`). The token or
signature check comes after, and is each server's own.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LOOPBACK_HOSTS", "WILDCARD_HOSTS", "CallerCheck"]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def _netloc(host: str, port: int) -> str:
    host = host.strip("[]")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True)
class CallerCheck:
    """The Host and Origin checks of a server bound to `host`:`port`, called `what` in messages."""

    host: str
    port: int
    what: str = "this server"

    @property
    def names(self) -> tuple[str, ...]:
        """The `host:port` values a request's Host may have."""
        hosts = [*LOOPBACK_HOSTS, *([] if self.host in WILDCARD_HOSTS else [self.host])]
        return tuple(dict.fromkeys(_netloc(host, self.port).lower() for host in hosts))

    def refusal(self, host: str | None, origin: str | None, fetch_site: str | None = None) -> str | None:
        """Why a request with these headers is refused, or None if it may go on."""
        given = (host or "").strip().lower()
        if given not in self.names and self.host not in WILDCARD_HOSTS:
            return (f"Host {host or '(none)'!r} is not the address of {self.what}; call it as "
                    f"http://{self.names[0]} (requests for other names are refused so that web pages cannot "
                    "reach it through DNS).")
        allowed = {f"{scheme}://{name}" for scheme in ("http", "https") for name in self.names}
        if origin is not None and origin.strip().lower().rstrip("/") not in allowed:
            return (f"Cross-site request from {origin!r} refused: {self.what} answers programs "
                    "(boto3, the SDK, the CLI), not web pages.")
        if (fetch_site or "").strip().lower() == "cross-site":
            return f"Cross-site request refused: {self.what} answers programs, not web pages."
        return None
