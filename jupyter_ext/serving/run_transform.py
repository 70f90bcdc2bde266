"""The batch transform program: `python -m jupyter_ext.serving.run_transform transform.json`,
run as a Transform job in its job folder. Outputs go to `output/transform/`, which the
runner copies to the transformer's output_path."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .handlers import ContainerChain, load_chain
from .payloads import JSON, base_type

__all__ = ["main", "batches", "join_records"]

OUTPUT = Path("output/transform")


def _records(body: bytes, split_type: str | None) -> list[bytes]:
    if split_type != "Line":
        return [body]
    return [line for line in body.splitlines() if line.strip()]


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


def join_records(inputs: list[bytes], output: bytes, content_type: str | None) -> bytes:
    """Each input record beside its output (join_source="Input"): `input,output` for CSV;
    for JSON the output under "SageMakerOutput" (inputs that are not objects go under "SageMakerInput")."""
    outputs = output.splitlines() if len(inputs) > 1 else [output.strip()]
    if len(outputs) != len(inputs):
        raise ValueError(f"join_source='Input' needs one output line per record: {len(inputs)} records gave "
                         f"{len(outputs)} lines (set accept to a line format such as text/csv).")
    if base_type(content_type) == JSON or base_type(content_type).endswith("jsonlines"):
        joined = []
        for record, answer in zip(inputs, outputs):
            value, result = json.loads(record), json.loads(answer)
            joined.append(json.dumps({**value, "SageMakerOutput": result} if isinstance(value, dict)
                                     else {"SageMakerInput": value, "SageMakerOutput": result}).encode())
        return b"\n".join(joined)
    return b"\n".join(record + b"," + answer for record, answer in zip(inputs, outputs))


def _transform_file(path: Path, target: Path, chain: ContainerChain, config: dict[str, Any], pool: ThreadPoolExecutor) -> int:
    records = _records(path.read_bytes(), config["split_type"])
    groups = list(batches(records, config["strategy"], config["max_payload"]))

    def run(group: list[bytes]) -> bytes:
        answer, _kind = chain.invoke(b"\n".join(group), config["content_type"], config["accept"])
        return join_records(group, answer, config["content_type"]) if config["join_source"] else answer

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
