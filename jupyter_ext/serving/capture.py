"""Data capture: requests and responses of an endpoint written as SageMaker writes them.

Files: `<destination>/<endpoint>/<variant>/yyyy/mm/dd/hh/<MM-SS-mmm>-<uuid>.jsonl` (UTC),
one JSON record per line (`captureData.endpointInput/endpointOutput`, `eventMetadata`,
`eventVersion`). A writer thread does the work, off the request path; `close()` writes
everything still queued, so a clean shutdown loses nothing.
"""

from __future__ import annotations

import base64
import json
import queue
import random
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from ..errors import ValidationError
from ..store import artifact_store_for, home, join_uri
from .payloads import base_type

__all__ = ["DataCaptureConfig", "CaptureWriter", "capture_record"]

_MODES = {"REQUEST": "Input", "RESPONSE": "Output", "INPUT": "Input", "OUTPUT": "Output"}
# A capture file is closed and a new one started after this many seconds (and every hour).
ROTATE_SECONDS = 300.0
_BATCH_SECONDS = 0.1


@dataclass
class DataCaptureConfig:
    """What an endpoint captures (SageMaker's DataCaptureConfig).

    `sampling_percentage` (0-100) of requests are captured, each with its request
    and/or response (`capture_options`: "REQUEST", "RESPONSE"); `destination_s3_uri` is a
    local folder, a file:// URI or an s3:// URI (in the local S3 folder the files are written
    in place; in real S3 each file is uploaded once complete). Payloads of the CSV / JSON content types are
    stored as text, others base64-encoded.
    """

    enable_capture: bool = True
    sampling_percentage: float = 20
    destination_s3_uri: str | None = None
    capture_options: Sequence[str] = ("REQUEST", "RESPONSE")
    csv_content_types: Sequence[str] = ("text/csv",)
    json_content_types: Sequence[str] = ("application/json",)
    kms_key_id: str | None = field(default=None, repr=False)

    def to_config(self, default_destination: str) -> dict[str, Any]:
        """The checked JSON form kept in the endpoint's configuration."""
        if not isinstance(self.sampling_percentage, (int, float)) or not 0 <= self.sampling_percentage <= 100:
            raise ValidationError(f"sampling_percentage must be between 0 and 100; got {self.sampling_percentage!r}.")
        modes = [_MODES.get(str(o).upper()) for o in self.capture_options]
        if not modes or None in modes:
            raise ValidationError(f"capture_options {list(self.capture_options)}: use REQUEST and/or RESPONSE.")
        destination = self.destination_s3_uri or default_destination
        path = artifact_store_for(destination).path_on_disk(destination)
        where = {"destination": str(path)} if path is not None else {  # files wait locally, then are uploaded
            "destination": str(home() / "capture-spool" / uuid.uuid4().hex), "upload_to": destination}
        return {"enable_capture": bool(self.enable_capture), "sampling_percentage": float(self.sampling_percentage),
                **where, "destination_s3_uri": destination, "capture_modes": sorted(set(modes)),
                "csv_content_types": [base_type(t) for t in self.csv_content_types],
                "json_content_types": [base_type(t) for t in self.json_content_types]}


def _side(data: bytes, content_type: str | None, mode: str, config: dict[str, Any]) -> dict[str, str]:
    kind = base_type(content_type)
    encoding = "CSV" if kind in config["csv_content_types"] else "JSON" if kind in config["json_content_types"] else "BASE64"
    if encoding != "BASE64":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = "BASE64"
    if encoding == "BASE64":
        text = base64.b64encode(data).decode("ascii")
    return {"observedContentType": content_type or "", "mode": mode, "data": text, "encoding": encoding}


def capture_record(event: tuple[Any, ...], config: dict[str, Any]) -> dict[str, Any]:
    """The JSON record of one captured request: `event` is (variant, time, inference_id,
    request body, request content type, response body, response content type)."""
    _variant, when, inference_id, request, request_type, response, response_type = event
    data: dict[str, Any] = {}
    if "Input" in config["capture_modes"]:
        data["endpointInput"] = _side(request, request_type, "INPUT", config)
    if "Output" in config["capture_modes"]:
        data["endpointOutput"] = _side(response, response_type, "OUTPUT", config)
    metadata = {"eventId": _event_id(),
                "inferenceTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))}
    if inference_id:
        metadata["inferenceId"] = inference_id
    return {"captureData": data, "eventMetadata": metadata, "eventVersion": "0"}


def _event_id() -> str:
    """A random (version 4) UUID as text, without uuid.uuid4's system call per record."""
    digits = f"{random.getrandbits(128):032x}"
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{'89ab'[int(digits[16], 16) & 3]}{digits[17:20]}-{digits[20:]}"


def _side_text(side: dict[str, str]) -> str:
    return (f'{{"observedContentType":{json.dumps(side["observedContentType"])},"mode":"{side["mode"]}",'
            f'"data":{json.dumps(side["data"])},"encoding":"{side["encoding"]}"}}')


class _LineEncoder:
    """`capture_record`'s JSON line, built as text (a few times faster than json.dumps of
    the record, which matters at thousands of requests a second); the second's timestamp
    text is reused."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config, self._second, self._stamp = config, -1, ""

    def line(self, event: tuple[Any, ...]) -> str:
        _variant, when, inference_id, request, request_type, response, response_type = event
        sides = []
        if "Input" in self.config["capture_modes"]:
            sides.append('"endpointInput":' + _side_text(_side(request, request_type, "INPUT", self.config)))
        if "Output" in self.config["capture_modes"]:
            sides.append('"endpointOutput":' + _side_text(_side(response, response_type, "OUTPUT", self.config)))
        if int(when) != self._second:
            self._second, self._stamp = int(when), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))
        extra = f',"inferenceId":{json.dumps(inference_id)}' if inference_id else ""
        return (f'{{"captureData":{{{",".join(sides)}}},"eventMetadata":{{"eventId":"{_event_id()}",'
                f'"inferenceTime":"{self._stamp}"{extra}}},"eventVersion":"0"}}\n')


class CaptureWriter:
    """Samples and queues captured requests; a thread writes them to the capture files."""

    def __init__(self, endpoint: str, config: dict[str, Any]) -> None:
        self.endpoint, self.config = endpoint, config
        self._queue: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._files: dict[str, tuple[IO[str], int, float]] = {}
        self.upload_to: str | None = config.get("upload_to")
        self._encoder = _LineEncoder(config)
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._write_loop, name="data-capture", daemon=True)
        self._thread.start()

    def sampled(self) -> bool:
        """Whether to capture the next request (drawn per request)."""
        return self.config["enable_capture"] and random.random() * 100 < self.config["sampling_percentage"]

    def put(self, event: tuple[Any, ...]) -> None:
        """Queue one request for capture (see `capture_record` for the fields); never blocks."""
        self._queue.put(event)

    def close(self) -> None:
        """Write everything queued, then close the files."""
        self._closing.set()
        self._queue.put(None)
        self._thread.join(timeout=60)

    def _write_loop(self) -> None:
        done = False
        while not done:
            batch = [self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get())
            for item in batch:
                if item is None:
                    done = True
                else:
                    self._file(item[0], item[1]).write(self._encoder.line(item))
            for handle, _hour, _opened in self._files.values():
                handle.flush()
            # Writing in batches a few times a second keeps this thread off the request path's GIL.
            self._closing.wait(_BATCH_SECONDS)
        for handle, _hour, _opened in self._files.values():
            self._finish(handle)

    def _finish(self, handle: IO[str]) -> None:
        """Close a capture file; with a remote destination, upload it and drop the local copy."""
        handle.close()
        if self.upload_to is None:
            return
        path = Path(handle.name)
        relative = path.relative_to(self.config["destination"]).as_posix()
        try:
            artifact_store_for(self.upload_to).upload(path, join_uri(self.upload_to, relative))
            path.unlink()
        except Exception as error:  # the file stays in the spool folder; serving goes on
            print(f"Data capture: uploading {path} to {self.upload_to} failed: {error}", flush=True)

    def _file(self, variant: str, when: float) -> IO[str]:
        hour = int(when // 3600)
        current = self._files.get(variant)
        if current and current[1] == hour and time.monotonic() - current[2] < ROTATE_SECONDS:
            return current[0]
        if current:
            self._finish(current[0])
        stamp = datetime.fromtimestamp(when, timezone.utc)
        folder = Path(self.config["destination"]) / self.endpoint / variant / stamp.strftime("%Y/%m/%d/%H")
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{stamp.strftime('%M-%S')}-{stamp.microsecond // 1000:03d}-{uuid.uuid4()}.jsonl"
        handle = open(folder / name, "a", encoding="utf-8")
        self._files[variant] = (handle, hour, time.monotonic())
        return handle
