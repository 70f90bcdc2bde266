"""The ASGI application of an endpoint: SageMaker's serving contract (`GET /ping`,
`POST /invocations`, `GET /execution-parameters`) over weighted production variants.

The application checks each request (access), picks its variant, hands it to one of the
variant's instances (instances.py: processes that load the model) and counts what the
variant answered. The routing table is swapped whole, so a weight update or a new model
takes effect between two requests and no request is dropped.
"""

from __future__ import annotations

import bisect
import json
import random
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .access import AccessPolicy
from .capture import CaptureWriter
from .frames import error_body
from .instances import InstancePool
from .payloads import PayloadError

__all__ = ["EndpointApp", "Routing", "VariantStats", "MAX_PAYLOAD_BYTES"]

MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
_TARGET = b"x-amzn-sagemaker-target-variant"
_INFERENCE_ID = b"x-amzn-sagemaker-inference-id"
_JSON = "application/json"


@dataclass
class VariantStats:
    """Requests one variant answered, its errors and recent model latencies (ms)."""

    invocations: int = 0
    errors_4xx: int = 0
    errors_5xx: int = 0
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=2000))

    def snapshot(self) -> dict[str, Any]:
        """Counts plus average, p50 and p99 latency over the recent requests."""
        recent = sorted(self.latencies)
        pick = (lambda q: recent[min(len(recent) - 1, int(q * len(recent)))]) if recent else (lambda q: None)
        return {"invocations": self.invocations, "errors_4xx": self.errors_4xx, "errors_5xx": self.errors_5xx,
                "latency_avg_ms": sum(recent) / len(recent) if recent else None,
                "latency_p50_ms": pick(0.5), "latency_p99_ms": pick(0.99)}


class Routing:
    """The variants being served (their instances) and their weights; picks one per request."""

    def __init__(self, pools: dict[str, InstancePool], weights: dict[str, float]) -> None:
        self.pools, self.weights = pools, weights
        self.names = list(pools)
        self.cumulative: list[float] = []
        total = 0.0
        for name in self.names:
            total += weights[name]
            self.cumulative.append(total)
        self.total = total

    def pick(self, target: str | None) -> tuple[str, InstancePool]:
        """The target variant if named, else one drawn by weight; PayloadError if neither works."""
        if target is not None:
            if target not in self.pools:
                raise PayloadError(f"Target variant {target!r} does not exist; this endpoint has: "
                                   f"{', '.join(self.names)}.")
            return target, self.pools[target]
        if self.total <= 0:
            raise PayloadError("Every variant has weight 0: set a weight above 0, or name a target variant.")
        index = bisect.bisect_right(self.cumulative, random.random() * self.total)
        name = self.names[min(index, len(self.names) - 1)]
        return name, self.pools[name]


class EndpointApp:
    """One endpoint's HTTP service (a raw ASGI app) in front of its variants' instances."""

    def __init__(self, routing: Routing, capture: CaptureWriter | None, access: AccessPolicy) -> None:
        self.routing = routing
        self.capture = capture
        self.access = access
        self.stats: dict[str, VariantStats] = {name: VariantStats() for name in routing.names}
        self.execution_parameters = json.dumps({"MaxConcurrentTransforms": 1, "BatchStrategy": "MULTI_RECORD",
                                                "MaxPayloadInMB": 6}).encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path, method, headers = scope["path"], scope["method"], dict(scope["headers"])
        refusal = self.access.refusal(path, headers)
        if refusal is not None:
            status, code, message = refusal
            await self._send(send, status, error_body(code, message), _JSON)
        elif path == "/ping" and method == "GET":
            await self._send(send, 200, b"", "text/plain")
        elif path == "/invocations" and method == "POST":
            await self._invocations(headers, receive, send)
        elif path == "/execution-parameters" and method == "GET":
            await self._send(send, 200, self.execution_parameters, "application/json")
        else:
            await self._send(send, 404, error_body("NotFound", f"No route {method} {path}; use GET /ping or "
                                                    "POST /invocations."), "application/json")

    async def _invocations(self, headers: dict[bytes, bytes], receive: Any, send: Any) -> None:
        body = await self._body(receive)
        content_type = headers.get(b"content-type", b"").decode("latin-1") or None
        if body is None:
            status, answer, answer_type, variant = 413, error_body(
                "ValidationError", f"The payload is larger than {MAX_PAYLOAD_BYTES} bytes (6 MB)."), _JSON, None
        else:
            status, answer, answer_type, variant = await self._answer(body, content_type, headers)
        await self._send(send, status, answer, answer_type, variant)
        if status == 200 and self.capture is not None and self.capture.sampled():
            inference_id = headers.get(_INFERENCE_ID)
            self.capture.put((variant, time.time(), inference_id.decode("latin-1") if inference_id else None,
                              body, content_type, answer, answer_type))

    async def _answer(self, body: bytes, content_type: str | None,
                      headers: dict[bytes, bytes]) -> tuple[int, bytes, str, str | None]:
        """(status, body, content type, variant) for one request, errors included."""
        target = headers.get(_TARGET)
        try:
            variant, pool = self.routing.pick(target.decode("latin-1") if target is not None else None)
        except PayloadError as error:
            return 400, error_body("ValidationError", str(error)), _JSON, None
        stats = self.stats.setdefault(variant, VariantStats())
        accept = headers.get(b"accept", b"").decode("latin-1") or None
        header, answer = await pool.invoke({"content_type": content_type, "accept": accept}, body)
        status = header["status"]
        if status == 200:
            stats.latencies.append(header["latency_ms"])
            stats.invocations += 1
        elif status < 500:
            stats.errors_4xx += 1
        else:
            stats.errors_5xx += 1
        return status, answer, header["content_type"], variant

    @staticmethod
    async def _body(receive: Any) -> bytes | None:
        parts, size = [], 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_PAYLOAD_BYTES:
                return None
            parts.append(chunk)
            if not message.get("more_body"):
                return b"".join(parts)

    @staticmethod
    async def _send(send: Any, status: int, body: bytes, content_type: str, variant: str | None = None) -> None:
        headers = [(b"content-type", content_type.encode("latin-1")), (b"content-length", str(len(body)).encode())]
        if status == 401:
            headers.append((b"www-authenticate", b"Bearer"))
        if variant is not None:
            headers.append((b"x-amzn-invoked-production-variant", variant.encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
