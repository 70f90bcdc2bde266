"""The endpoint process: `python -m jupyter_ext.serving.run_endpoint ENDPOINT_NAME`.

It binds its socket first (so the port is known and owned), starts each variant's
instances (`instance_count` processes that load the variant's model, see instances.py)
and waits for them, says InService, and serves with uvicorn until SIGTERM, handing each
request to an instance of its variant. A control thread applies configuration updates
from the store (models, weights, instance counts) and writes traffic figures back every
second, and at once when an instance starts or ends. On a clean shutdown the requests in
flight are answered, the data capture queue is written out, then the instances end.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..store import get_store
from . import records
from .access import AccessPolicy, read_token, write_token
from .app import EndpointApp, Routing, VariantStats
from .capture import CaptureWriter
from .instances import InstancePool

__all__ = ["main", "EndpointServer"]

_CONTROL_SECONDS = 0.1
_STATS_SECONDS = 1.0


def _reason(error: BaseException) -> str:
    # An instance's ValidationError carries the model's own error, already "Type: message".
    return str(error) if isinstance(error, ValidationError) else f"{type(error).__name__}: {error}"


class EndpointServer:
    """Runs endpoint `name` as recorded in the store."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.store = get_store()
        self.row = self._read()
        self.folder = Path(self.row["endpoint_dir"])
        self.config = json.loads(self.row["config"])
        self.pools: dict[str, InstancePool] = {}
        self.stopped = threading.Event()
        self.changed = threading.Event()  # an instance started or ended: write the figures now
        self.loads = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.app: EndpointApp | None = None

    def _read(self) -> Any:
        return records.endpoint_row(self.store, self.name)

    def _set(self, **fields: Any) -> None:
        records.set_endpoint_fields(self.store, self.name, **fields)

    async def serve_variants(self, variants: list[dict[str, Any]]) -> None:
        """Serve `variants` (in the event loop): a variant whose model is unchanged keeps its
        instances (as many more or fewer as its count says), a new model gets new ones;
        the routing switches once every new instance answers. If one cannot start, the
        ValidationError carries the model's error and what was served stays as it was."""
        pools, new = {}, []
        for variant in variants:
            name = variant["variant_name"]
            previous = self.pools.get(name)
            if previous is not None and previous.containers == variant["containers"]:
                pools[name] = previous
            else:
                self.loads += 1
                pools[name] = InstancePool(self.name, name, variant["containers"],
                                           self.folder / "models" / f"{name}-{self.loads}", self.changed.set)
                new.append(pools[name])
        before = {name: pool.desired for name, pool in pools.items()}
        grown = await asyncio.gather(*(pools[v["variant_name"]].grow(v["instance_count"]) for v in variants),
                                     return_exceptions=True)
        failure = next((result for result in grown if isinstance(result, BaseException)), None)
        if failure is not None:
            for name, pool in pools.items():
                pool.shrink(0 if pool in new else before[name])
            raise failure
        for variant in variants:
            pools[variant["variant_name"]].shrink(variant["instance_count"])
        self.app.routing = Routing(pools, {v["variant_name"]: v["weight"] for v in variants})
        for name, pool in self.pools.items():
            if pools.get(name) is not pool:
                pool.shrink(0)  # its queued requests are still answered, then its instances end
        self.pools = pools

    def run(self) -> int:
        """Bind, start the instances, serve until SIGTERM; the exit status."""
        # proto IPPROTO_TCP: asyncio turns Nagle off only on sockets that say they are TCP;
        # with it on, a response's body waits ~40 ms for the ACK of its headers.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((self.row["host"], self.config.get("requested_port") or 0))
            sock.listen(1024)
        except OSError as error:
            self._set(status="Failed", failure_reason=_reason(error))
            return 1
        port = sock.getsockname()[1]
        # An endpoint without a token (its file removed) gets a new one rather than none.
        token = read_token(self.folder) or write_token(self.folder)
        self.app = EndpointApp(Routing({}, {}), None, AccessPolicy(self.name, self.row["host"], port, token))
        with asyncio.Runner() as runner:
            self.loop = runner.get_loop()
            try:
                runner.run(self.serve_variants(self.config["variants"]))
            except Exception as error:
                if not isinstance(error, ValidationError):
                    traceback.print_exc()
                self._set(status="Failed", failure_reason=_reason(error))
                runner.run(self._end_instances())
                return 1
            return self._serve(runner, sock, port)

    def _serve(self, runner: asyncio.Runner, sock: socket.socket, port: int) -> int:
        capture_config = self.config.get("data_capture")
        if capture_config and capture_config["enable_capture"]:
            self.app.capture = CaptureWriter(self.name, capture_config)
        self.version = self.row["config_version"]
        self._write_stats()
        self._set(status="InService", port=port, applied_version=self.version)
        control = threading.Thread(target=self._control, name="endpoint-control", daemon=True)
        control.start()
        print(f"Endpoint {self.name} InService at http://{self.row['host']}:{port}", flush=True)
        try:
            runner.run(self._uvicorn(sock))
        finally:
            self.stopped.set()
            control.join(timeout=10)
            if self.app.capture is not None:
                self.app.capture.close()
            self._write_stats()
            runner.run(self._end_instances())
            self._mark_stopped()
        return 0

    async def _uvicorn(self, sock: socket.socket) -> None:
        import uvicorn

        config = uvicorn.Config(self.app, lifespan="off", log_level="warning", access_log=False,
                                timeout_graceful_shutdown=25)
        # uvicorn re-raises the signal that stopped it; a handler of ours lets run() return,
        # so the capture queue and the traffic figures are written out.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: None)
        await uvicorn.Server(config).serve(sockets=[sock])

    async def _end_instances(self) -> None:
        await asyncio.gather(*(pool.shutdown() for pool in self.pools.values()))

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
                if self.changed.is_set() or time.monotonic() - last_stats > _STATS_SECONDS:
                    self.changed.clear()
                    self._write_stats()
                    last_stats = time.monotonic()
            except Exception:  # keep serving; the next round tries again
                traceback.print_exc()

    def _apply(self, row: Any) -> None:
        config = json.loads(row["config"])
        version = row["config_version"]
        try:
            asyncio.run_coroutine_threadsafe(self.serve_variants(config["variants"]), self.loop).result()
            if config.get("data_capture") != self.config.get("data_capture"):
                self._capture(config.get("data_capture"))
            self.config = config
            self._write_stats()  # the new instances are described once the update is
            self._set(status="InService", applied_version=version)
        except Exception as error:
            if not isinstance(error, ValidationError):
                traceback.print_exc()
            self._set(status="InService", applied_version=version, config=json.dumps(self.config),
                      failure_reason=f"Update failed, the previous variants are still served: {_reason(error)}")
        self.version = version
        print(f"Endpoint configuration {version} applied", flush=True)

    def _capture(self, settings: dict[str, Any] | None) -> None:
        """Capture with new settings from the next request on; the old files are written out."""
        previous = self.app.capture
        self.app.capture = CaptureWriter(self.name, settings) if settings and settings["enable_capture"] else None
        if previous is not None:
            previous.close()

    def _write_stats(self) -> None:
        rows = []
        for variant in dict.fromkeys([*self.pools, *self.app.stats]):
            figures = self.app.stats.get(variant, VariantStats()).snapshot()
            pool = self.pools.get(variant)
            instances = [instance.summary() for instance in pool.serving()] if pool is not None else []
            rows.append((variant, *figures.values(), json.dumps(instances)))
        records.write_variant_stats(self.store, self.name, rows)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the endpoint process."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("usage: python -m jupyter_ext.serving.run_endpoint ENDPOINT_NAME")
    return EndpointServer(args[0]).run()


if __name__ == "__main__":
    sys.exit(main())
