"""Unpacking a model artifact (model.tar.gz) for an endpoint or a transform job, within a
size limit and without letting it write outside its folder.

The limit is on the unpacked size (10 GiB unless `JUPYTER_EXT_MAX_MODEL_SIZE` says
otherwise, e.g. `20GiB`), checked member by member before each is written, so an archive
bomb stops before it fills the disk. Links that point outside the archive, absolute
paths and device files are refused.
"""

from __future__ import annotations

import os
import re
import shutil
import tarfile
from pathlib import Path

from ..errors import ValidationError
from ..store import artifact_store_for, local_path

__all__ = ["MAX_MODEL_SIZE_VARIABLE", "DEFAULT_MAX_MODEL_SIZE", "max_model_size", "unpack"]

MAX_MODEL_SIZE_VARIABLE = "JUPYTER_EXT_MAX_MODEL_SIZE"
DEFAULT_MAX_MODEL_SIZE = 10 * 1024 ** 3
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "m": 1000 ** 2, "mb": 1000 ** 2, "g": 1000 ** 3, "gb": 1000 ** 3,
          "t": 1000 ** 4, "tb": 1000 ** 4, "kib": 1024, "mib": 1024 ** 2, "gib": 1024 ** 3, "tib": 1024 ** 4}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*")


def _readable(size: float) -> str:
    for unit, factor in (("GiB", 1024 ** 3), ("MiB", 1024 ** 2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size:.0f} bytes"


def max_model_size() -> int:
    """The limit on a model's unpacked size in bytes: `JUPYTER_EXT_MAX_MODEL_SIZE` (a number of
    bytes or with a unit: 500MB, 20GiB) or 10 GiB. ValidationError for a value it cannot read."""
    text = os.environ.get(MAX_MODEL_SIZE_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MAX_MODEL_SIZE
    match = _SIZE.fullmatch(text)
    if match is None or match.group(2).lower() not in _UNITS:
        raise ValidationError(f"{MAX_MODEL_SIZE_VARIABLE}={text!r} is not a size; give bytes or a number with a "
                              "unit, e.g. 500MB or 20GiB.")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def _too_large(source: Path, limit: int) -> ValidationError:
    return ValidationError(
        f"The model artifact {source} unpacks to more than {_readable(limit)}, the limit on unpacked models. "
        f"If the model is that large, raise the limit with the environment variable {MAX_MODEL_SIZE_VARIABLE} "
        f"(e.g. {MAX_MODEL_SIZE_VARIABLE}=20GiB, set before deploying, or Model(..., "
        f"env={{'{MAX_MODEL_SIZE_VARIABLE}': '20GiB'}})).")


def _extract(source: Path, target: Path, limit: int) -> None:
    free = shutil.disk_usage(target).free
    total = 0
    # Stream mode: members are read and written one by one, each checked before it is written.
    with tarfile.open(source, "r|*") as tar:
        for member in tar:
            total += member.size if member.isreg() else 0
            if total > limit:
                raise _too_large(source, limit)
            if total > free:
                raise ValidationError(f"The model artifact {source} unpacks to more than the {_readable(free)} "
                                      f"free on the disk of {target}; free some space first.")
            try:
                tar.extract(member, target, filter="data")
            except tarfile.FilterError as error:
                raise ValidationError(f"The model artifact {source} cannot be unpacked safely: {error}. A model "
                                      "archive may hold files, folders and links that stay inside it.") from None


def _fetched(uri: str, target: Path) -> Path:
    scratch = target.parent / f"{target.name}-download"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    return artifact_store_for(uri).fetch(uri, scratch)


def unpack(model_data: str, target: Path) -> Path:
    """The folder holding the model's files: a folder as it is; a model.tar.gz unpacked
    into `target`; a single file copied into `target`. ValidationError if it is larger than
    `max_model_size()` or would write outside `target` (nothing of it is left then). A URI
    (`s3://...`) is read where its store keeps it on disk, else downloaded beside `target`."""
    source = Path(model_data) if local_path(model_data) is not None else _fetched(model_data, target)
    if source.is_dir():
        return source
    limit = max_model_size()
    target.mkdir(parents=True, exist_ok=True)
    try:
        if tarfile.is_tarfile(source):
            _extract(source, target, limit)
        elif source.stat().st_size > limit:
            raise _too_large(source, limit)
        else:
            shutil.copy2(source, target / source.name)
    except (ValidationError, tarfile.TarError, OSError) as error:
        shutil.rmtree(target, ignore_errors=True)
        if isinstance(error, tarfile.TarError):
            raise ValidationError(f"The model artifact {source} is not a readable tar archive: {error}.") from None
        raise
    finally:
        if source.parent.name == f"{target.name}-download":  # a downloaded copy, unpacked now
            shutil.rmtree(source.parent, ignore_errors=True)
    return target
