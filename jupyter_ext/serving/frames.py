"""Messages between an endpoint process and its instance processes, over a socket pair.

A message is a JSON header (a dict) and a body of bytes: eight bytes giving their
sizes, then the header, then the body. The endpoint sends an instance its containers
first, then one request at a time (header: content type and accept; body: the payload);
the instance answers each with the status, content type and model latency, and the body.
"""

from __future__ import annotations

import json
import struct
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

__all__ = ["message", "read_message", "receive", "error_body"]

_SIZES = struct.Struct("!II")


def message(header: dict[str, Any], body: bytes = b"") -> bytes:
    """The bytes of one message."""
    encoded = json.dumps(header).encode()
    return _SIZES.pack(len(encoded), len(body)) + encoded + body


async def read_message(reader: asyncio.StreamReader) -> tuple[dict[str, Any], bytes]:
    """The next message from `reader`; asyncio.IncompleteReadError once the other side is gone."""
    header_size, body_size = _SIZES.unpack(await reader.readexactly(_SIZES.size))
    data = await reader.readexactly(header_size + body_size)
    return json.loads(data[:header_size]), data[header_size:]


def receive(stream: IO[bytes]) -> tuple[dict[str, Any], bytes] | None:
    """The next message from a blocking binary stream; None once the other side is gone."""
    sizes = stream.read(_SIZES.size)
    if len(sizes) < _SIZES.size:
        return None
    header_size, body_size = _SIZES.unpack(sizes)
    data = stream.read(header_size + body_size)
    if len(data) < header_size + body_size:
        return None
    return json.loads(data[:header_size]), data[header_size:]


def error_body(code: str, message_text: str) -> bytes:
    """An endpoint's JSON error answer, as SageMaker's containers write it."""
    return json.dumps({"ErrorCode": code, "Message": message_text}).encode()
