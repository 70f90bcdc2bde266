"""The sessions and batches a Livy gateway runs: their ids and names, their settings, and
their lifetimes (heartbeat, idle timeout, ttl, state retention). The HTTP side is gateway.py.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from .batches import Batch
from .sessions import FINAL_STATES, InteractiveSession, LivyApp, LivyError

__all__ = ["LivyApps", "GatewaySettings", "duration_seconds", "MAX_STARTING", "STATE_RETAIN_SECONDS"]

MAX_STARTING = 100
STATE_RETAIN_SECONDS = 600.0


def duration_seconds(text: str | None) -> float | None:
    """Livy's durations (`"10m"`, `"1h"`, `"30s"`, `"500ms"`, `"90"`) in seconds."""
    if not text:
        return None
    units = (("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400))
    for suffix, scale in units:
        number = text[: -len(suffix)]
        if text.endswith(suffix) and number.replace(".", "", 1).isdigit():
            return float(number) * scale
    if text.replace(".", "", 1).isdigit():
        return float(text)
    raise LivyError(400, {"msg": f"Rejected, Reason: invalid duration {text!r}; use e.g. 30s, 10m or 1h."})


@dataclass
class GatewaySettings:
    """How the gateway runs Spark and who may talk to it.

    `master` is spark.master for every session and batch; `conf` adds Spark settings;
    batches and session files may only come from `allowed_folders` (default: the current
    folder and the jupyter_ext home; symlinks are followed before the check). Callers must
    send the token of the jupyter_ext home (`tokens.gateway_token()`); `auth=False` turns
    it off (any local process may then run code: the gateway prints a warning). `username`/`password` are HTTP Basic credentials accepted
    besides the token (the only ones with `auth=False`). `csrf` (on by default) requires
    the `X-Requested-By` header on changing requests, as Livy's csrf-protection does.
    `idle_timeout` (s) collects sessions without activity;
    `lenient` ignores unknown request fields instead of answering 400.
    """

    host: str = "127.0.0.1"
    port: int = 8998
    master: str = "local[*]"
    conf: Mapping[str, str] = field(default_factory=dict)
    allowed_folders: Sequence[str | Path] | None = None
    username: str | None = None
    password: str | None = None
    auth: bool = True
    csrf: bool = True
    idle_timeout: float = 3600.0
    check_interval: float = 60.0
    lenient: bool = False
    sql_rows: int = 1000
    work_dir: str | Path | None = None

    def folders(self) -> list[Path]:
        """The allowed folders as real paths (symlinks resolved)."""
        if self.allowed_folders is None:
            from ..store.metadata import home

            chosen: list[str | Path] = [Path.cwd(), home()]
        else:
            chosen = list(self.allowed_folders)
        # Real paths: a file is checked where it really is, so the folders must be too.
        return [Path(os.path.realpath(folder)) for folder in chosen]


class LivyApps:
    """The gateway's state: its settings, sessions and batches (under `lock`), and the watchdog
    that collects expired ones. `stop_apps()` stops every session and batch."""

    def __init__(self, settings: GatewaySettings | None = None, **options: Any) -> None:
        self.settings = settings or GatewaySettings(**options)
        if self.settings.username and not self.settings.password:
            raise ValidationError("Basic auth needs both a username and a password.")
        self.allowed = self.settings.folders()
        self.folder = Path(self.settings.work_dir or tempfile.mkdtemp(prefix="jupyter-ext-livy-"))
        self.sessions: dict[int, InteractiveSession] = {}
        self.batches: dict[int, Batch] = {}
        self.lock = threading.RLock()
        self._next_id = {"session": 0, "batch": 0}
        self._stopped = threading.Event()

    # --- sessions and batches -------------------------------------------------------

    def create_session(self, request: dict[str, Any], owner: str | None) -> InteractiveSession:
        """Start an interactive session (state `starting`)."""
        with self.lock:
            self._check_new(self.sessions, request.get("name"))
            session = InteractiveSession(self._new_id("session"), request, self.folder, owner,
                                         self.settings.master, self._conf())
            session.settings["sqlRows"] = self.settings.sql_rows
            self.sessions[session.id] = session
        session.start()
        return session

    def create_batch(self, request: dict[str, Any], owner: str | None) -> Batch:
        """Start a batch (spark-submit of `request["file"]`)."""
        with self.lock:
            self._check_new(self.batches, request.get("name"))
            batch = Batch(self._new_id("batch"), request, self.folder, owner, self.settings.master, self._conf())
            self.batches[batch.id] = batch
        batch.start()
        return batch

    def _conf(self) -> dict[str, str]:
        # Tables of sessions and batches go to the gateway's folder, not wherever it was started.
        return {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1",
                "spark.sql.warehouse.dir": str(self.folder / "spark-warehouse"),
                **{str(k): str(v) for k, v in self.settings.conf.items()}}

    def _new_id(self, what: str) -> int:
        self._next_id[what] += 1
        return self._next_id[what] - 1

    def _check_new(self, apps: Mapping[int, LivyApp], name: str | None) -> None:
        if name and any(app.name == name for app in apps.values()):
            raise LivyError(400, {"msg": f"Rejected, Reason: Duplicate session name: {name}"})
        if sum(app.state == "starting" for app in apps.values()) >= MAX_STARTING:
            raise LivyError(400, {"msg": "Rejected, too many sessions are being created!"})

    def find(self, apps: Mapping[int, LivyApp], key: str, what: str = "Session") -> Any:
        """An app by numeric id or by name; 404 in Livy's words otherwise."""
        with self.lock:
            if key.isdigit() and int(key) in apps:
                return apps[int(key)]
            for app in apps.values():
                if app.name == key and not key.isdigit():
                    return app
        raise LivyError(404, {"msg": f"{what} '{key}' not found."})

    def delete(self, apps: dict[int, Any], app: LivyApp) -> None:
        """Stop `app` and forget it (Livy's DELETE)."""
        app.stop()
        with self.lock:
            apps.pop(app.id, None)

    # --- lifetimes -----------------------------------------------------------------

    def _expired(self, session: InteractiveSession) -> str | None:
        now = time.monotonic()
        if session.state in FINAL_STATES:
            return None
        if session.heartbeat_timeout and now > session.heartbeat_deadline:
            return "heartbeat"
        idle = duration_seconds(session.request.get("idleTimeout")) or self.settings.idle_timeout
        if idle and not session.busy_or_recent(idle):
            return "idle timeout"
        ttl = duration_seconds(session.request.get("ttl"))
        if ttl and not session.busy_or_recent(ttl):
            return "ttl"
        return None

    def check_lifetimes(self) -> list[int]:
        """Delete sessions past their heartbeat, idle timeout or ttl; drop final sessions
        and batches older than Livy's state retention. Returns the deleted session ids."""
        with self.lock:
            sessions, batches = list(self.sessions.values()), list(self.batches.values())
        expired = [s for s in sessions if self._expired(s)]
        for session in expired:
            self.delete(self.sessions, session)
        cutoff = time.monotonic() - STATE_RETAIN_SECONDS
        with self.lock:
            for apps in (self.sessions, self.batches):
                for app in list(apps.values()):
                    if app.ended_at is not None and app.ended_at < cutoff:
                        apps.pop(app.id, None)
        return [s.id for s in expired]

    def watchdog(self) -> None:
        """Check lifetimes every `check_interval` seconds until the apps are stopped."""
        while not self._stopped.wait(self.settings.check_interval):
            self.check_lifetimes()

    def stop_apps(self) -> None:
        """Stop every session and batch, in parallel (each waits up to 30 s)."""
        self._stopped.set()
        with self.lock:
            apps = [*self.sessions.values(), *self.batches.values()]
        threads = [threading.Thread(target=app.stop) for app in apps]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
