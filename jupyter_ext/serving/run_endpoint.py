"""The endpoint process: `python -m jupyter_ext.serving.run_endpoint ENDPOINT_NAME`.

It binds its socket first (so the port is known and owned), loads every variant's
models, says InService, and serves with uvicorn until SIGTERM. A control thread applies
configuration updates from the store and writes traffic figures back every second.
On a clean shutdown the data capture queue is written out before the process ends.
"""

from __future__ import annotations

import json
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from ..store import get_store
from . import records
from .access import AccessPolicy, read_token, write_token
from .app import EndpointApp, Routing
from .capture import CaptureWriter
from .handlers import ContainerChain, load_chain

__all__ = ["main", "EndpointServer"]

_CONTROL_SECONDS = 0.1
_STATS_SECONDS = 1.0


class EndpointServer:
    """Runs endpoint `name` as recorded in the store."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.store = get_store()
        self.row = self._read()
        self.folder = Path(self.row["endpoint_dir"])
        self.config = json.loads(self.row["config"])
        self.loaded: dict[str, tuple[str, ContainerChain]] = {}  # variant → (containers JSON, chain)
        self.stopped = threading.Event()
        self.loads = 0

    def _read(self) -> Any:
        return records.endpoint_row(self.store, self.name)

    def _set(self, **fields: Any) -> None:
        records.set_endpoint_fields(self.store, self.name, **fields)

    def routing(self, variants: list[dict[str, Any]]) -> Routing:
        """Load the variants' models (reusing unchanged ones) and build their routing table."""
        chains, loaded = {}, {}
        for variant in variants:
            key = json.dumps(variant["containers"], sort_keys=True)
            previous = self.loaded.get(variant["variant_name"])
            if previous and previous[0] == key:
                chain = previous[1]
            else:
                self.loads += 1
                chain = load_chain(variant["containers"], self.folder / "models" / f"{variant['variant_name']}-{self.loads}")
            chains[variant["variant_name"]] = chain
            loaded[variant["variant_name"]] = (key, chain)
        self.loaded = loaded
        return Routing(chains, {v["variant_name"]: v["weight"] for v in variants})

    def run(self) -> int:
        """Bind, load, serve until SIGTERM; the exit status."""
        # proto IPPROTO_TCP: asyncio turns Nagle off only on sockets that say they are TCP;
        # with it on, a response's body waits ~40 ms for the ACK of its headers.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((self.row["host"], self.config.get("requested_port") or 0))
            sock.listen(1024)
            routing = self.routing(self.config["variants"])
        except Exception as error:
            traceback.print_exc()
            self._set(status="Failed", failure_reason=f"{type(error).__name__}: {error}")
            return 1
        capture_config = self.config.get("data_capture")
        capture = CaptureWriter(self.name, capture_config) if capture_config and capture_config["enable_capture"] else None
        port = sock.getsockname()[1]
        # An endpoint without a token (its file removed) gets a new one rather than none.
        token = read_token(self.folder) or write_token(self.folder)
        self.app = EndpointApp(routing, capture, sys.stderr, AccessPolicy(self.name, self.row["host"], port, token))
        self.version = self.row["config_version"]
        self._set(status="InService", port=port, applied_version=self.version)
        control = threading.Thread(target=self._control, name="endpoint-control", daemon=True)
        control.start()
        print(f"Endpoint {self.name} InService at http://{self.row['host']}:{port}", flush=True)
        try:
            self._serve(sock)
        finally:
            self.stopped.set()
            self.app.inference.shutdown(wait=True)
            control.join(timeout=10)
            if self.app.capture is not None:
                self.app.capture.close()
            self._write_stats()
            self._mark_stopped()
        return 0

    def _serve(self, sock: socket.socket) -> None:
        import uvicorn

        config = uvicorn.Config(self.app, lifespan="off", log_level="warning", access_log=False,
                                timeout_graceful_shutdown=25)
        # uvicorn re-raises the signal that stopped it; a handler of ours lets run() return,
        # so the capture queue and the traffic figures are written out.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: None)
        uvicorn.Server(config).run(sockets=[sock])

    def _mark_stopped(self) -> None:
        row = self._read()
        if row is not None and row["status"] != "Deleting":
            self._set(status="Failed", failure_reason="The endpoint's server was stopped (SIGTERM) outside "
                      "delete_endpoint; delete the endpoint and deploy again.")
        print(f"Endpoint {self.name} stopped", flush=True)

    def _control(self) -> None:
        last_stats = 0.0
        while not self.stopped.wait(_CONTROL_SECONDS):
            try:
                row = self._read()
                if row is not None and row["config_version"] > self.version:
                    self._apply(row)
                if time.monotonic() - last_stats > _STATS_SECONDS:
                    self._write_stats()
                    last_stats = time.monotonic()
            except Exception:  # keep serving; the next round tries again
                traceback.print_exc()

    def _apply(self, row: Any) -> None:
        config = json.loads(row["config"])
        version = row["config_version"]
        try:
            self.app.routing = self.routing(config["variants"])
            if config.get("data_capture") != self.config.get("data_capture"):
                self._capture(config.get("data_capture"))
            self.config = config
            self._set(status="InService", applied_version=version)
        except Exception as error:
            traceback.print_exc()
            self._set(status="InService", applied_version=version, config=json.dumps(self.config),
                      failure_reason=f"Update failed, the previous variants are still served: "
                                     f"{type(error).__name__}: {error}")
        self.version = version
        print(f"Endpoint configuration {version} applied", flush=True)

    def _capture(self, settings: dict[str, Any] | None) -> None:
        """Capture with new settings from the next request on; the old files are written out."""
        previous = self.app.capture
        self.app.capture = CaptureWriter(self.name, settings) if settings and settings["enable_capture"] else None
        if previous is not None:
            previous.close()

    def _write_stats(self) -> None:
        records.write_variant_stats(self.store, self.name, [(variant, *stats.snapshot().values())
                                                             for variant, stats in self.app.stats.items()])


def main(argv: list[str] | None = None) -> int:
    """Entry point of the endpoint process."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("usage: python -m jupyter_ext.serving.run_endpoint ENDPOINT_NAME")
    return EndpointServer(args[0]).run()


if __name__ == "__main__":
    sys.exit(main())
