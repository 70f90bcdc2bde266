"""Artifacts at the end of a job: folders packed as `model.tar.gz`-style archives or
copied as they are, to the artifact store."""

from __future__ import annotations

import tarfile
import tempfile
from pathlib import Path

from ..store import artifact_store_for
from .spec import JobSpec

__all__ = ["pack", "upload_artifacts", "empty_uploads"]


def pack(folder: Path, archive: Path) -> Path:
    """Pack the contents of `folder` (not the folder itself) into a gzip tarball."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        for item in sorted(folder.iterdir()) if folder.is_dir() else []:
            tar.add(item, arcname=item.name)
    return archive


def empty_uploads(spec: JobSpec, job_dir: Path) -> list[str]:
    """The job folders meant for artifacts that the program left empty."""
    return [upload.source for upload in spec.uploads
            if upload.role == "model_data" or upload.source.startswith("processing/")
            if not (job_dir / upload.source).is_dir() or not any((job_dir / upload.source).iterdir())]


def upload_artifacts(spec: JobSpec, job_dir: Path, success: bool) -> dict[str, str]:
    """Carry out the spec's uploads; return {role: uri} for the ones with a role."""
    uris: dict[str, str] = {}
    for upload in spec.uploads:
        if upload.when == "success" and not success:
            continue
        source = job_dir / upload.source
        store = artifact_store_for(upload.destination)
        if upload.archive:
            with tempfile.TemporaryDirectory(dir=job_dir) as scratch:
                archive = pack(source, Path(scratch) / Path(upload.destination).name)
                store.upload(archive, upload.destination)
        elif source.exists():
            store.upload(source, upload.destination)
        else:
            continue
        if upload.role:
            uris[upload.role] = upload.destination
    return uris
