"""What the sidebar shows of Livy: the configured server, its sessions and batches."""

from __future__ import annotations

from ..errors import JupyterExtError
from ..models import LivyBatchSummary, LivyLog, LivyOverview, LivySessionSummary
from .client import LivyClient, default_livy_url
from .service import running_gateway

__all__ = ["describe_livy", "livy_session_log", "delete_livy_session"]


def _client(url: str | None) -> LivyClient:
    # Short timeout, no retries: the sidebar must not hang on a server that is down.
    return LivyClient(url or default_livy_url(), timeout=5.0, retries=0)


def describe_livy(url: str | None = None) -> LivyOverview:
    """The Livy server at `url` (default: the configured one); unreachable is not an error."""
    client = _client(url)
    gateway = running_gateway()
    pid = int(gateway["pid"]) if gateway and gateway["url"] == client.url else None
    try:
        version = client.version()
        sessions = client.sessions()
        batches = client.request("GET", "/batches", params={"size": 1000})["sessions"]
    except JupyterExtError as error:
        return LivyOverview(client.url, False, None, str(error), pid, [], [])
    return LivyOverview(
        client.url, True, version, None, pid,
        [LivySessionSummary(s["id"], s.get("name"), s.get("kind", "shared"), s["state"], s.get("appId"),
                            (s.get("appInfo") or {}).get("sparkUiUrl")) for s in sessions],
        [LivyBatchSummary(b["id"], b.get("name"), b["state"], b.get("appId")) for b in batches],
    )


def livy_session_log(session_id: int, size: int = 200, url: str | None = None) -> LivyLog:
    """The last `size` lines of a session's log; NotFoundError if the session is unknown."""
    page = _client(url).request("GET", f"/sessions/{session_id}/log", params={"size": size})
    return LivyLog(session_id, page["from"], page["total"], page["log"])


def delete_livy_session(session_id: int, url: str | None = None) -> None:
    """Stop a session (Livy's DELETE); NotFoundError if it is unknown."""
    _client(url).request("DELETE", f"/sessions/{session_id}")
