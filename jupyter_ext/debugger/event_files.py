"""smdebug's event files, byte for byte: TFRecord framing with masked CRC32C and the
protobuf `Event` / `Summary` / `TensorProto` messages, without protobuf or TensorFlow.

A record is `uint64 length | masked crc32c(length) | payload | footer`; smdebug writes
the constant footer (masked CRC32C of b"0x12345678") instead of the payload's CRC, and
its default reader insists on it.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

__all__ = ["masked_crc32c", "crc32c", "frame", "unframe", "TensorRecord", "encode_event", "decode_event",
           "encode_scalar_event", "encode_file_version_event", "decode_scalar_event", "FOOTER"]

_POLY = 0x82F63B78
_TABLE = []
for _byte in range(256):
    _crc = _byte
    for _ in range(8):
        _crc = (_crc >> 1) ^ _POLY if _crc & 1 else _crc >> 1
    _TABLE.append(_crc)


def crc32c(data: bytes) -> int:
    """CRC32C (Castagnoli) of `data`."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC32C: rotate right by 15 and add a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


FOOTER = struct.pack("<I", masked_crc32c(b"0x12345678"))


def frame(payload: bytes, checksummed: bool = False) -> bytes:
    """One record: length, its masked CRC, the payload and smdebug's constant footer (or,
    `checksummed`, the payload's own masked CRC, as TensorBoard's readers want it)."""
    length = struct.pack("<Q", len(payload))
    footer = struct.pack("<I", masked_crc32c(payload)) if checksummed else FOOTER
    return length + struct.pack("<I", masked_crc32c(length)) + payload + footer


def unframe(record: bytes, checksummed: bool = False) -> bytes:
    """The payload of one whole record; ValueError if the framing is damaged."""
    (length,) = struct.unpack_from("<Q", record, 0)
    (length_crc,) = struct.unpack_from("<I", record, 8)
    if length_crc != masked_crc32c(record[:8]) or len(record) != length + 16:
        raise ValueError("damaged record: length checksum or size does not match")
    payload = record[12:12 + length]
    expected = struct.pack("<I", masked_crc32c(payload)) if checksummed else FOOTER
    if record[12 + length:] != expected:
        raise ValueError("damaged record: the payload checksum does not match" if checksummed
                         else "damaged record: footer is not smdebug's constant")
    return payload


# --- protobuf wire format: varint keys (field << 3 | wire), wire 0, 1 and 2 only ---

def _varint(value: int) -> bytes:
    value &= 0xFFFFFFFFFFFFFFFF  # negative int64 as two's complement
    out = bytearray()
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _bytes_field(field: int, data: bytes) -> bytes:
    return _key(field, 2) + _varint(len(data)) + data


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) pairs of one message; value is int (wire 0/1/5) or bytes."""
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _read_varint(data, pos)
            yield field, value
        elif wire == 1:
            yield field, data[pos:pos + 8]
            pos += 8
        elif wire == 2:
            size, pos = _read_varint(data, pos)
            yield field, data[pos:pos + size]
            pos += size
        elif wire == 5:
            yield field, data[pos:pos + 4]
            pos += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")


# TensorFlow DataType codes smdebug's reader understands.
_DTYPE_CODES = {np.dtype(np.float32): 1, np.dtype(np.float64): 2, np.dtype(np.int32): 3,
                np.dtype(np.uint8): 4, np.dtype(np.int64): 9, np.dtype(np.bool_): 10, np.dtype(np.float16): 19}
_CODE_DTYPES = {code: dtype for dtype, code in _DTYPE_CODES.items()}
_CODE_DTYPES[6] = np.dtype(np.int8)


def _writable(array: np.ndarray) -> np.ndarray:
    """Cast to a dtype smdebug can read back (bf16 etc. → float32, int16 → int32)."""
    if array.dtype in _DTYPE_CODES:
        return array
    if np.issubdtype(array.dtype, np.floating):
        return array.astype(np.float32)
    if np.issubdtype(array.dtype, np.integer):
        return array.astype(np.int64)
    raise ValueError(f"cannot save a tensor of dtype {array.dtype}")


@dataclass
class TensorRecord:
    """One saved tensor as it sits in an event: name, value, mode code and mode step."""

    name: str
    value: np.ndarray | str
    mode: int
    mode_step: int


def _tensor_proto(name: str, value: np.ndarray | str) -> bytes:
    if isinstance(value, str):
        return _bytes_field(8, value.encode())
    array = _writable(np.asarray(value))  # tobytes() is C order; ascontiguousarray would make 0-d 1-d
    dims = b"".join(_bytes_field(2, _key(1, 0) + _varint(size) + _bytes_field(2, f"{name}_{size}".encode()))
                    for size in array.shape)
    return (_key(1, 0) + _varint(_DTYPE_CODES[array.dtype]) + _bytes_field(2, dims)
            + _bytes_field(4, array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()))


def encode_event(wall_time: float, step: int, tensor: TensorRecord) -> bytes:
    """A serialized `Event` holding one summary value (one tensor), as smdebug writes it."""
    plugins = (_bytes_field(1, _bytes_field(1, b"mode_step") + _bytes_field(2, str(tensor.mode_step).encode()))
               + _bytes_field(1, _bytes_field(1, b"mode") + _bytes_field(2, str(tensor.mode).encode())))
    value = (_bytes_field(1, tensor.name.encode()) + _bytes_field(9, plugins)
             + _bytes_field(8, _tensor_proto(tensor.name, tensor.value)))
    return (_key(1, 1) + struct.pack("<d", wall_time) + _key(2, 0) + _varint(step)
            + _bytes_field(5, _bytes_field(1, value)))


def _decode_tensor(data: bytes) -> np.ndarray | str:
    dtype_code, shape, content, strings = 0, [], b"", []
    for field, value in _fields(data):
        if field == 1:
            dtype_code = int(value)  # type: ignore[arg-type]
        elif field == 2:
            shape = [int(dict(_fields(dim)).get(1, 0)) for f, dim in _fields(value) if f == 2]  # type: ignore[arg-type]
        elif field == 4:
            content = bytes(value)  # type: ignore[arg-type]
        elif field == 8:
            strings.append(bytes(value).decode())  # type: ignore[arg-type]
    if dtype_code == 0:
        return strings[0] if strings else ""
    dtype = _CODE_DTYPES[dtype_code].newbyteorder("<")
    return np.frombuffer(content, dtype=dtype).astype(dtype.newbyteorder("="), copy=True).reshape(shape)


def _decode_value(data: bytes) -> TensorRecord:
    name, value, plugins = "", np.zeros(0), {}
    for field, part in _fields(data):
        if field == 1:
            name = bytes(part).decode()  # type: ignore[arg-type]
        elif field == 8:
            value = _decode_tensor(part)  # type: ignore[arg-type]
        elif field == 9:
            for f, plugin in _fields(part):  # type: ignore[arg-type]
                entry = dict(_fields(plugin))  # type: ignore[arg-type]
                plugins[bytes(entry.get(1, b"")).decode()] = bytes(entry.get(2, b"")).decode()
    return TensorRecord(name, value, int(plugins.get("mode", 4)), int(plugins.get("mode_step", -1)))


def decode_event(payload: bytes) -> tuple[int, list[TensorRecord]]:
    """The global step and tensors of one serialized `Event`."""
    step, tensors = 0, []
    for field, value in _fields(payload):
        if field == 2:
            step = int(value)  # type: ignore[arg-type]
        elif field == 5:
            tensors += [_decode_value(v) for f, v in _fields(value) if f == 1]  # type: ignore[arg-type]
    return step, tensors


# --- TensorBoard's scalar summaries: Event{wall_time=1, step=2, file_version=3, summary=5},
# Summary{value=1}, Summary.Value{tag=1, simple_value=2 (float32)} ---

def encode_file_version_event(wall_time: float) -> bytes:
    """The `Event` every TensorBoard event file starts with (`file_version: "brain.Event:2"`)."""
    return _key(1, 1) + struct.pack("<d", wall_time) + _bytes_field(3, b"brain.Event:2")


def encode_scalar_event(wall_time: float, step: int, tag: str, value: float) -> bytes:
    """A serialized `Event` holding one scalar summary, as TensorBoard's Scalars tab reads it."""
    summary_value = _bytes_field(1, tag.encode()) + _key(2, 5) + struct.pack("<f", value)
    return (_key(1, 1) + struct.pack("<d", wall_time) + _key(2, 0) + _varint(step)
            + _bytes_field(5, _bytes_field(1, summary_value)))


def decode_scalar_event(payload: bytes) -> tuple[int, list[tuple[str, float]]]:
    """The step and (tag, value) scalar summaries of one serialized TensorBoard `Event`."""
    step, scalars = 0, []
    for field, value in _fields(payload):
        if field == 2:
            step = int(value)  # type: ignore[arg-type]
        elif field == 5:
            for f, item in _fields(value):  # type: ignore[arg-type]
                parts = dict(_fields(item)) if f == 1 else {}  # type: ignore[arg-type]
                if 1 in parts and 2 in parts:
                    scalars.append((bytes(parts[1]).decode(), struct.unpack("<f", parts[2])[0]))  # type: ignore[arg-type]
    return step, scalars
