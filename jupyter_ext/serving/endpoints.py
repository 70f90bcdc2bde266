"""Endpoints in the store: create (start the server process), describe, list, update,
delete — from any process. An endpoint whose process died is marked Failed on the next
read, never left InService.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import ConflictError, NotFoundError, ValidationError
from ..jobs.contract import THREAD_VARIABLES
from ..jobs.launch import JOB_NAME_PATTERN
from ..jobs.process import is_alive, spawn_detached, terminate_group
from ..models import EndpointDescription, InstanceDescription, VariantDescription, timestamp
from ..store import get_store, home
from . import records
from .access import TOKEN_FILE, read_token, write_token
from .capture import DataCaptureConfig
from .variants import ProductionVariant, check_weight

__all__ = [
    "create_endpoint", "describe_endpoint", "list_endpoints", "delete_endpoint", "update_endpoint",
    "update_endpoint_weights_and_capacities", "endpoint_token", "endpoint_dir_for", "LIVE_STATUSES", "DEFAULT_HOST",
]

DEFAULT_HOST = "127.0.0.1"
LIVE_STATUSES = ("Creating", "InService", "Updating")
START_TIMEOUT = 120.0
_LAUNCH_GRACE = 60.0
MAX_VARIANTS = 10


def endpoint_dir_for(name: str) -> Path:
    """The folder of endpoint `name`: its log, unpacked models and server state."""
    return home() / "endpoints" / name


def _row(name: str) -> Any:
    row = records.endpoint_row(get_store(), name)
    if row is None:
        known = records.endpoint_names(get_store())
        raise NotFoundError(f"Endpoint {name!r} not found. Endpoints: {', '.join(known) or 'none'}.")
    return _reconcile(row)


def _set(name: str, **fields: Any) -> None:
    records.set_endpoint_fields(get_store(), name, **fields)


def _reconcile(row: Any) -> Any:
    """`row`, marked Failed first if its server process is gone."""
    if row["status"] not in LIVE_STATUSES:
        return row
    if row["pid"] is None and time.time() - row["created_at"] < _LAUNCH_GRACE:
        return row
    if row["pid"] is not None and is_alive(row["pid"], row["pid_started"]):
        return row
    reason = (f"The endpoint's server process (pid {row['pid']}) exited (killed, or the machine restarted); "
              f"see {Path(row['endpoint_dir']) / 'endpoint.log'}. Delete the endpoint and deploy again.")
    _set(row["name"], status="Failed", failure_reason=reason)
    return records.endpoint_row(get_store(), row["name"])


def _instances(figures: Any, status: str) -> list[InstanceDescription]:
    """The live instances the endpoint process last wrote (none once it is not serving)."""
    if figures is None or not figures["instances"] or status not in ("InService", "Updating"):
        return []
    return [InstanceDescription(i["instance_name"], i["pid"], i["invocations"], timestamp(i["started_at"]))
            for i in json.loads(figures["instances"])]


def _describe(row: Any) -> EndpointDescription:
    config = json.loads(row["config"])
    stats = records.variant_stats(get_store(), row["name"])
    total = sum(v["weight"] for v in config["variants"])
    variants = []
    for v in config["variants"]:
        s = stats.get(v["variant_name"])
        instances = _instances(s, row["status"])
        variants.append(VariantDescription(
            variant_name=v["variant_name"], model_name=v["model_name"],
            model_data=[c["model_data"] for c in v["containers"]], current_weight=v["weight"],
            traffic_share=v["weight"] / total if total else 0.0, instance_count=v["instance_count"],
            invocations=s["invocations"] if s else 0, errors_4xx=s["errors_4xx"] if s else 0,
            errors_5xx=s["errors_5xx"] if s else 0, latency_avg_ms=s["latency_avg_ms"] if s else None,
            latency_p50_ms=s["latency_p50_ms"] if s else None, latency_p99_ms=s["latency_p99_ms"] if s else None,
            current_instance_count=len(instances), instances=instances,
            model_package_arn=next((c["model_package_arn"] for c in v["containers"] if c.get("model_package_arn")),
                                   None)))
    url = f"http://{row['host']}:{row['port']}" if row["port"] else None
    return EndpointDescription(
        name=row["name"], status=row["status"], failure_reason=row["failure_reason"], url=url, port=row["port"],
        pid=row["pid"], created_at=timestamp(row["created_at"]), last_modified=timestamp(row["last_modified"]),
        endpoint_dir=row["endpoint_dir"], log_path=str(Path(row["endpoint_dir"]) / "endpoint.log"),
        variants=variants, data_capture=config.get("data_capture"))


def endpoint_token(name: str) -> str:
    """The invoke token of endpoint `name`, to send as `Authorization: Bearer <token>` to its
    /invocations (Predictor, invoke_endpoint and %invoke send it themselves). It is made when
    the endpoint is created and readable by the user alone. NotFoundError if there is none."""
    row = _row(name)
    token = read_token(Path(row["endpoint_dir"]))
    if token is None:
        raise NotFoundError(f"Endpoint {name} has no invoke token (it was created before endpoints had one); "
                            f"delete it with delete_endpoint({name!r}) and deploy again.")
    return token


def describe_endpoint(name: str) -> EndpointDescription:
    """Everything about endpoint `name` (NotFoundError names the endpoints there are)."""
    return _describe(_row(name))


def list_endpoints() -> list[EndpointDescription]:
    """Every endpoint, newest first."""
    return [_describe(_reconcile(row)) for row in records.endpoint_rows(get_store())]


def _unique_name(base: str) -> str:
    cleaned = "".join(c if c.isalnum() or c == "-" else "-" for c in base).strip("-")[:38].rstrip("-") or "endpoint"
    now = time.time()
    while True:
        name = f"{cleaned}-{time.strftime('%Y-%m-%d-%H-%M-%S', time.gmtime(now))}-{int(now % 1 * 1000):03d}"
        if not records.endpoint_exists(get_store(), name):
            return name
        now += 0.001


def _check_port(host: str, port: int | None) -> None:
    if port is None:
        return
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValidationError(f"port must be a whole number from 1 to 65535 (or None for a free one); got {port!r}.")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise ConflictError(f"Port {port} on {host} is taken ({error.strerror}); pick another port, "
                                "or leave port=None for a free one.") from None


def _variants_config(production_variants: Sequence[ProductionVariant]) -> list[dict[str, Any]]:
    if not 1 <= len(production_variants) <= MAX_VARIANTS:
        raise ValidationError(f"An endpoint takes 1 to {MAX_VARIANTS} production variants; got {len(production_variants)}.")
    variants = [v.to_config() for v in production_variants]
    names = [v["variant_name"] for v in variants]
    if len(set(names)) != len(names):
        raise ValidationError(f"Variant names must be unique; got {names}.")
    return variants


def create_endpoint(endpoint_name: str | None, production_variants: Sequence[ProductionVariant],
                    data_capture_config: DataCaptureConfig | None = None, port: int | None = None,
                    host: str = DEFAULT_HOST, wait: bool = True, base_name: str = "endpoint") -> str:
    """Start an endpoint serving `production_variants`; returns its name (once InService
    with `wait`). The server is a detached process on `host`:`port` (default a free port)
    that outlives the caller, in front of each variant's `initial_instance_count` instance
    processes. ConflictError for a taken name or port; ValidationError if the models
    cannot be served (with the server's reason)."""
    name = endpoint_name or _unique_name(base_name)
    if not JOB_NAME_PATTERN.fullmatch(name):
        raise ValidationError(f"Endpoint name {name!r} is not valid: use 1 to 63 letters, digits and hyphens, "
                              "starting and ending with a letter or digit.")
    variants = _variants_config(production_variants)
    capture = data_capture_config.to_config(str(home() / "data-capture")) if data_capture_config else None
    _check_port(host, port)
    folder = endpoint_dir_for(name)
    config = {"variants": variants, "data_capture": capture, "requested_port": port}
    records.insert_endpoint(get_store(), name, host, port, str(folder), config)
    _launch(name, folder)
    if wait:
        _wait_until(name, lambda row: row["status"] != "Creating", START_TIMEOUT, "to start")
    return name


def _launch(name: str, folder: Path) -> None:
    shutil.rmtree(folder / "models", ignore_errors=True)  # what an endpoint of this name left
    write_token(folder)
    env = {**{v: "1" for v in THREAD_VARIABLES}, **os.environ, "JUPYTER_EXT_HOME": str(home()), "PYTHONUNBUFFERED": "1"}
    server, _ = spawn_detached([sys.executable, "-m", "jupyter_ext.serving.run_endpoint", name], cwd=folder, env=env,
                               log_path=folder / "endpoint.log")
    _set(name, pid=server.pid, pid_started=server.started)


def _log_tail(row: Any, lines: int = 8) -> str:
    path = Path(row["endpoint_dir"]) / "endpoint.log"
    text = path.read_text(errors="replace").strip().splitlines()[-lines:] if path.exists() else []
    return "\n".join(text)


def _wait_until(name: str, done: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while True:
        row = _row(name)
        if row["status"] == "Failed":
            raise ValidationError(f"Endpoint {name} failed {what}: {row['failure_reason']}\n{_log_tail(row)}\n"
                                  f"Delete it with delete_endpoint({name!r}) before deploying again under this name.")
        if done(row):
            return
        if time.monotonic() > deadline:
            raise ValidationError(f"Endpoint {name} did not finish {what} within {timeout:g} s; see "
                                  f"{Path(row['endpoint_dir']) / 'endpoint.log'}.")
        time.sleep(0.05)


def _update(name: str, change: Any, wait: bool) -> None:
    """Change the endpoint's config; with `wait`, until it is served (ValidationError if the
    server could not serve it, e.g. a model or a new instance failed to load)."""
    version = records.change_endpoint_config(get_store(), name, change)
    if not wait:
        return
    _wait_until(name, lambda r: r["applied_version"] >= version and r["status"] == "InService", START_TIMEOUT,
                "to update")
    row = _row(name)
    if row["failure_reason"] and row["failure_reason"].startswith("Update failed"):
        raise ValidationError(f"Endpoint {name}: {row['failure_reason']}")


def update_endpoint_weights_and_capacities(endpoint_name: str, desired_weights_and_capacities: Any,
                                           wait: bool = True) -> None:
    """Change variants' weights and instance counts without dropping a request.

    Takes `{variant: weight}` or SageMaker's list of `{"VariantName", "DesiredWeight",
    "DesiredInstanceCount"}`; the endpoint is Updating until the server serves the new
    weights and the new instances answer (extra instances end once they have answered).
    ValidationError if a new instance cannot load the model: the endpoint keeps its count.
    """
    if isinstance(desired_weights_and_capacities, Mapping):
        desired = [{"VariantName": k, "DesiredWeight": v} for k, v in desired_weights_and_capacities.items()]
    else:
        desired = list(desired_weights_and_capacities or [])
    if not desired:
        raise ValidationError("Give at least one variant's desired weight, e.g. {'VariantA': 0.5}.")

    def change(config: dict[str, Any]) -> None:
        variants = {v["variant_name"]: v for v in config["variants"]}
        for item in desired:
            variant = variants.get(item.get("VariantName"))
            if variant is None:
                raise ValidationError(f"Variant {item.get('VariantName')!r} is not on endpoint {endpoint_name}; "
                                      f"it has: {', '.join(variants)}.")
            if "DesiredWeight" in item:
                variant["weight"] = check_weight(variant["variant_name"], item["DesiredWeight"])
            if "DesiredInstanceCount" in item:
                count = item["DesiredInstanceCount"]
                if not isinstance(count, int) or count < 1:
                    raise ValidationError(f"DesiredInstanceCount must be a whole number >= 1; got {count!r}.")
                variant["instance_count"] = count

    _update(endpoint_name, change, wait)


def update_endpoint(endpoint_name: str, production_variants: Sequence[ProductionVariant], wait: bool = True,
                    data_capture_config: DataCaptureConfig | None = None) -> None:
    """Serve new production variants (new models, names or weights) on a running endpoint.

    The server loads the new models beside the old ones and switches over between two
    requests; if a model fails to load, the old variants stay and the update raises.
    `data_capture_config` replaces the capture settings (`DataCaptureConfig(enable_capture=False)`
    stops capturing; None keeps them): what was captured until then is written out.
    """
    variants = _variants_config(production_variants)
    capture = data_capture_config.to_config(str(home() / "data-capture")) if data_capture_config else None

    def change(config: dict[str, Any]) -> None:
        config["variants"] = variants
        if capture is not None:
            config["data_capture"] = capture

    _update(endpoint_name, change, wait)


def delete_endpoint(endpoint_name: str, timeout: float = 30.0) -> None:
    """Stop the endpoint's server (SIGTERM: captured data is written out; SIGKILL after
    `timeout` s), remove the models it unpacked, its token and its record. Its port is
    free once this returns; its log stays in its folder."""
    row = _row(endpoint_name)
    _set(endpoint_name, status="Deleting")
    pid = row["pid"]
    if pid is not None and is_alive(pid, row["pid_started"]):
        terminate_group(pid, timeout)
    folder = Path(row["endpoint_dir"])
    shutil.rmtree(folder / "models", ignore_errors=True)
    (folder / TOKEN_FILE).unlink(missing_ok=True)
    records.delete_endpoint_row(get_store(), endpoint_name)
