"""The batch transform program: `python -m jupyter_ext.serving.run_transform transform.json`,
run as a Transform job in its job folder. Outputs go to `output/transform/`, which the
runner copies to the transformer's output_path."""

from __future__ import annotations

import gzip
import json
import shutil
import struct
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .handlers import ContainerChain, load_chain
from .data_processing import DataProcessing

__all__ = ["main", "batches", "recordio_records", "tfrecord_records"]

_RECORDIO_MAGIC = 0xCED7230A

OUTPUT = Path("output/transform")


def _records(body: bytes, split_type: str | None) -> list[bytes]:
    if split_type == "Line":
        return [line for line in body.splitlines() if line.strip()]
    if split_type == "RecordIO":
        return list(recordio_records(body))
    if split_type == "TFRecord":
        return list(tfrecord_records(body))
    return [body]


def recordio_records(body: bytes) -> Iterator[bytes]:
    """MXNet RecordIO records, each as its bytes in the file (header, data, padding; a
    record written in parts is one record)."""
    position, start = 0, 0
    while position < len(body):
        magic, header = struct.unpack_from("<II", body, position)
        if magic != _RECORDIO_MAGIC:
            raise ValueError(f"Not RecordIO at byte {position}: split_type='RecordIO' needs MXNet RecordIO files.")
        flag, length = header >> 29, header & ((1 << 29) - 1)
        position += 8 + length + (-length % 4)
        if flag in (0, 3):  # a whole record, or the last part of one
            yield body[start:position]
            start = position


def tfrecord_records(body: bytes) -> Iterator[bytes]:
    """TFRecord records, each as its bytes in the file (length, its CRC, data, the data's CRC)."""
    position = 0
    while position < len(body):
        if len(body) - position < 12:
            raise ValueError(f"Not TFRecord at byte {position}: split_type='TFRecord' needs TFRecord files.")
        (length,) = struct.unpack_from("<Q", body, position)
        end = position + 12 + length + 4
        if end > len(body):
            raise ValueError(f"Not TFRecord at byte {position}: a record of {length} bytes runs past the file's end.")
        yield body[position:end]
        position = end


def batches(records: list[bytes], strategy: str, max_payload_mb: int) -> Iterator[list[bytes]]:
    """Records grouped into requests: one each (SingleRecord), or as many as fit in the payload."""
    if strategy == "SingleRecord":
        yield from ([r] for r in records)
        return
    limit = max_payload_mb * 1024 * 1024 or float("inf")
    batch: list[bytes] = []
    size = 0
    for record in records:
        if batch and size + len(record) + 1 > limit:
            yield batch
            batch, size = [], 0
        if len(record) > limit:
            raise ValueError(f"A record of {len(record)} bytes is larger than max_payload ({max_payload_mb} MB).")
        batch.append(record)
        size += len(record) + 1
    if batch:
        yield batch


def _outputs(answer: bytes, count: int) -> list[bytes]:
    """The model's answer to `count` records, one output each (one line each for several)."""
    outputs = [line for line in answer.splitlines() if line.strip()] if count > 1 else [answer.strip()]
    if len(outputs) != count:
        raise ValueError(f"join_source and output_filter need one output line per record: {count} records gave "
                         f"{len(outputs)} lines (set accept to a line format such as text/csv).")
    return outputs


def _transform_file(path: Path, target: Path, chain: ContainerChain, config: dict[str, Any], pool: ThreadPoolExecutor) -> int:
    body = path.read_bytes()
    if config.get("compression_type") == "Gzip":
        body = gzip.decompress(body)
    records = _records(body, config["split_type"])
    processing = DataProcessing(config.get("input_filter"), config.get("output_filter"), config["join_source"])
    content_type, accept = config["content_type"], config["accept"]
    separator = b"\n" if config["split_type"] in ("Line", None) else b""

    def run(group: list[bytes]) -> bytes:
        sent = [processing.model_input(record, content_type) for record in group]
        answer, _kind = chain.invoke(separator.join(sent), content_type, accept)
        if not processing.per_record:
            return answer
        return b"\n".join(processing.written(record, output, content_type, accept)
                          for record, output in zip(group, _outputs(answer, len(group))))

    groups = list(batches(records, config["strategy"], config["max_payload"]))
    target.parent.mkdir(parents=True, exist_ok=True)
    ending = b"\n" if config["assemble_with"] == "Line" else b""
    with open(target, "wb") as out:
        for answer in pool.map(run, groups):
            out.write(answer.rstrip(b"\n") + ending if ending else answer)
    return len(records)


def main(argv: list[str] | None = None) -> None:
    """Transform every file of the input (a file or a folder, recursively)."""
    args = sys.argv[1:] if argv is None else argv
    config = json.loads(Path(args[0]).read_text())
    try:
        _transform_all(config, load_chain(config["containers"], Path("models").resolve()))
    finally:
        shutil.rmtree("models", ignore_errors=True)  # the unpacked model is not an output of the job


def _transform_all(config: dict[str, Any], chain: ContainerChain) -> None:
    source = Path(config["data"])
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    total = 0
    with ThreadPoolExecutor(config["max_concurrent_transforms"]) as pool:
        for path in files:
            relative = Path(path.name) if path == source else path.relative_to(source)
            try:
                count = _transform_file(path, OUTPUT / f"{relative}.out", chain, config, pool)
            except Exception as error:
                raise SystemExit(f"Transforming {relative} failed: {type(error).__name__}: {error}") from error
            total += count
            print(f"{relative}: {count} records → {relative}.out", flush=True)
    print(f"Transformed {total} records in {len(files)} file(s)", flush=True)


if __name__ == "__main__":
    main()
