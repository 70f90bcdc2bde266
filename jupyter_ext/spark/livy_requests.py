"""Livy's request bodies, checked as Livy checks them: unknown fields, bad kinds and
missing files get a 400 in Livy's shapes; local files must really lie under allowed
folders (symlinks followed), and no file entry may hold a comma (spark-submit would
split it into two files, the second unchecked)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .sessions import LivyError

__all__ = ["parse_body", "check_session_request", "check_batch_request", "check_fields", "SESSION_KINDS"]

_COMMON = {"proxyUser": str, "jars": list, "pyFiles": list, "files": list, "archives": list,
           "driverMemory": str, "driverCores": int, "executorMemory": str, "executorCores": int,
           "numExecutors": int, "queue": str, "name": str, "conf": dict}
SESSION_FIELDS = {**_COMMON, "kind": str, "heartbeatTimeoutInSecond": int, "ttl": str, "idleTimeout": str}
BATCH_FIELDS = {**_COMMON, "file": str, "className": str, "args": list}
STATEMENT_FIELDS = {"code": str, "kind": str}
COMPLETION_FIELDS = {"code": str, "kind": str, "cursor": int}
KIND_ALIASES = {"scala": "spark", "python": "pyspark", "r": "sparkr"}
SESSION_KINDS = ("pyspark", "sql", "shared")
_JAVA_CLASS = {"session": "org.apache.livy.server.interactive.CreateInteractiveRequest",
               "batch": "org.apache.livy.server.batch.CreateBatchRequest",
               "statement": "org.apache.livy.server.interactive.ExecuteRequest",
               "completion": "org.apache.livy.server.interactive.CompletionRequest"}


def parse_body(raw: bytes) -> dict[str, Any]:
    """The JSON object of a request body ({} when empty); 400 with a bare string otherwise."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LivyError(400, f"Unexpected character in request body: {error}") from None
    except RecursionError:
        raise LivyError(400, "The request body is not valid JSON: it is nested too deeply.") from None
    if not isinstance(body, dict):
        raise LivyError(400, "Can not deserialize instance out of a non-object request body")
    return body


def check_fields(body: dict[str, Any], fields: dict[str, type], what: str, lenient: bool = False) -> dict[str, Any]:
    """Reject unknown fields (unless `lenient`) and values of the wrong type, as Jackson does."""
    checked = {}
    for key, value in body.items():
        if key not in fields:
            if lenient:
                continue
            raise LivyError(400, f'Unrecognized field "{key}" (class {_JAVA_CLASS[what]}), not marked as ignorable')
        kind = fields[key]
        if value is None:
            continue
        if kind is int and isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise LivyError(400, f"Can not deserialize value of field \"{key}\": expected {kind.__name__}, got {value!r}")
        checked[key] = value
    return checked


def check_kind(kind: str | None, default: str = "shared") -> str:
    """A supported session kind (aliases mapped); 400 otherwise."""
    kind = KIND_ALIASES.get(kind or default, kind or default)
    if kind not in SESSION_KINDS:
        raise LivyError(400, {"msg": f"Rejected, Reason: unsupported kind '{kind}'; this gateway runs "
                                     f"{', '.join(SESSION_KINDS)} (pyspark3 is pyspark since Livy 0.5)."})
    return kind


def local_file(uri: str, allowed: Sequence[Path], what: str) -> str:
    """`uri` as the real local path (symlinks resolved) if it is a `file:` URI or an
    absolute path whose real path is under an allowed folder; remote URIs (hdfs:, s3:,
    ...) pass through unchanged. `allowed` are real paths too (`GatewaySettings.folders`)."""
    parsed = urlparse(uri)
    if parsed.scheme not in ("", "file", "local"):
        return uri
    path = parsed.path if parsed.scheme else uri
    if not os.path.isabs(path):
        raise LivyError(400, {"msg": f"Rejected, Reason: {what} {uri!r} must be an absolute path or a file: URI."})
    # The real path is checked and used: a symlink in an allowed folder may point anywhere.
    normal = Path(os.path.realpath(path))
    if not any(normal == folder or folder in normal.parents for folder in allowed):
        folders = ", ".join(map(str, allowed)) or "none configured"
        raise LivyError(400, {"msg": f"Rejected, Reason: Local path {normal} cannot be added to user sessions: it "
                                     f"is not under an allowed folder ({folders}). Start the gateway with "
                                     "--allow-folder for it, or move the file."})
    return str(normal)


def _list_entry(uri: Any, allowed: Sequence[Path], field: str) -> str:
    # These lists reach spark-submit joined by commas: one entry with a comma would be two
    # files, the second never checked.
    if "," in str(uri):
        raise LivyError(400, {"msg": f"Rejected, Reason: {field} entry {str(uri)!r} holds a comma; give each "
                                     "file as an entry of its own."})
    return local_file(str(uri), allowed, field)


def _check_files(body: dict[str, Any], allowed: Sequence[Path]) -> None:
    for field in ("jars", "pyFiles", "files", "archives"):
        if field in body:
            body[field] = [_list_entry(uri, allowed, field) for uri in body[field]]
    if "conf" in body:
        body["conf"] = {str(key): str(value) for key, value in body["conf"].items()}


def check_session_request(body: dict[str, Any], allowed: Sequence[Path], lenient: bool) -> dict[str, Any]:
    """A checked CreateInteractiveRequest."""
    request = check_fields(body, SESSION_FIELDS, "session", lenient)
    request["kind"] = check_kind(request.get("kind"))
    _check_files(request, allowed)
    return request


def check_batch_request(body: dict[str, Any], allowed: Sequence[Path], lenient: bool) -> dict[str, Any]:
    """A checked CreateBatchRequest: `file` is required and must be a local .py file."""
    request = check_fields(body, BATCH_FIELDS, "batch", lenient)
    if not request.get("file"):
        raise LivyError(400, {"msg": "Rejected, Reason: requirement failed: File is required."})
    request["file"] = local_file(request["file"], allowed, "file")
    if not os.path.isfile(request["file"]):
        raise LivyError(400, {"msg": f"Rejected, Reason: File {request['file']} does not exist."})
    request["args"] = [str(arg) for arg in request.get("args", [])]
    _check_files(request, allowed)
    return request
