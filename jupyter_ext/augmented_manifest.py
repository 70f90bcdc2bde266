"""Augmented manifest channels (SageMaker's `S3DataType="AugmentedManifestFile"`): a training
channel whose data is a JSON Lines manifest (a labeling job's output manifest, say) of which
the job sees only `AttributeNames`, in that order, on each line.

In File mode the channel's folder holds one file, named as the manifest, of the lines
restricted to those attributes (`{"source-ref": "s3://...", "label": 1}`); a line without one
of them fails the job's start with the line's number, as SageMaker fails such a job.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .errors import ValidationError
from .store import artifact_store_for

__all__ = ["AUGMENTED_MANIFEST", "check_attribute_names", "write_augmented_manifest"]

AUGMENTED_MANIFEST = "AugmentedManifestFile"
S3_DATA_TYPES = ("S3Prefix", AUGMENTED_MANIFEST)


def check_attribute_names(s3_data_type: str, attribute_names: Sequence[str] | None) -> None:
    """ValidationError unless the data type is known and an augmented manifest names its attributes."""
    if s3_data_type not in S3_DATA_TYPES:
        raise ValidationError(f"s3_data_type {s3_data_type!r} is not read here; use one of {', '.join(S3_DATA_TYPES)}.")
    if s3_data_type == AUGMENTED_MANIFEST and (not attribute_names or not all(
            isinstance(a, str) and a for a in attribute_names)):
        raise ValidationError("An AugmentedManifestFile channel needs attribute_names, the manifest's attributes "
                              "the job reads, e.g. ['source-ref', 'label'].")


def write_augmented_manifest(uri: str, attribute_names: Sequence[str], folder: Path) -> Path:
    """Write the manifest at `uri` restricted to `attribute_names` into `folder`; the file."""
    with tempfile.TemporaryDirectory() as scratch:
        fetched = artifact_store_for(uri).fetch(uri, Path(scratch))
        if not fetched.is_file():
            raise ValidationError(f"The augmented manifest {uri} is a folder; give the manifest file itself.")
        text = fetched.read_text()
    kept = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        missing = [a for a in attribute_names if a not in record]
        if missing:
            raise ValidationError(f"Line {number} of the augmented manifest {uri} has no attribute "
                                  f"{', '.join(map(repr, missing))}; label every item or leave the attribute out of "
                                  "AttributeNames.")
        kept.append(json.dumps({a: record[a] for a in attribute_names}))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / uri.rstrip("/").rsplit("/", 1)[-1]
    target.write_text("".join(k + "\n" for k in kept))
    return target
