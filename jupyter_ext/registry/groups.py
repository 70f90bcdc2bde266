"""Model package groups: one model's versions under a name (SageMaker's ModelPackageGroup).

ARNs are the local AWS endpoint's: `arn:aws:sagemaker:<region>:000000000000:model-package-group/<name>`,
the region the caller's (AWS_REGION / AWS_DEFAULT_REGION, us-east-1 by default).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import NotFoundError, ValidationError
from ..models import ModelPackageGroupDescription, timestamp
from ..models.sagemaker_names import DEFAULT_REGION, LOCAL_ACCOUNT
from ..store import get_store
from . import records

__all__ = ["create_model_package_group", "describe_model_package_group",
           "list_model_package_groups", "delete_model_package_group", "check_group_name", "sagemaker_arn",
           "group_of"]

_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


def sagemaker_arn(resource: str, region: str | None = None) -> str:
    """The ARN of SageMaker `resource` ("model-package/churn/1") in `region` (default: the caller's)."""
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    return f"arn:aws:sagemaker:{region}:{LOCAL_ACCOUNT}:{resource}"


def check_group_name(name: Any) -> str:
    """`name` if it is a valid group name (SageMaker's rule), else ValidationError; an ARN gives its name."""
    if isinstance(name, str) and ":model-package-group/" in name:
        name = name.rsplit("/", 1)[-1]
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValidationError(f"Model package group name {name!r} is not valid: use 1 to 63 letters, digits and "
                              "hyphens, starting and ending with a letter or digit.")
    return name


def _tags(tags: Mapping[str, str] | Sequence[Mapping[str, str]] | None) -> dict[str, str]:
    if tags is None:
        return {}
    if isinstance(tags, Mapping):
        return {str(k): str(v) for k, v in tags.items()}
    return {str(t["Key"]): str(t["Value"]) for t in tags}


def _describe(row: Any) -> ModelPackageGroupDescription:
    return ModelPackageGroupDescription(
        name=row["name"], arn=row["arn"], description=row["description"], created_at=timestamp(row["created_at"]),
        status="Completed", package_count=row["packages"], latest_version=row["last_version"] or None,
        tags=json.loads(row["tags"]))


def group_of(name: str) -> Any:
    """Group `name`'s row; NotFoundError names the groups there are."""
    row = records.group_row(get_store(), check_group_name(name))
    if row is None:
        known = records.group_names(get_store())
        raise NotFoundError(f"Model package group {name!r} not found. Groups: {', '.join(known) or 'none'} "
                            "(create one with ModelPackageGroup(name).create(), or register a model into it).")
    return row


def create_model_package_group(name: str, description: str | None = None,
                               tags: Mapping[str, str] | Sequence[Mapping[str, str]] | None = None,
                               region: str | None = None, exist_ok: bool = False) -> ModelPackageGroupDescription:
    """Create group `name` (CreateModelPackageGroup); ConflictError if it exists, unless `exist_ok`."""
    name = check_group_name(name)
    records.insert_group(get_store(), name, sagemaker_arn(f"model-package-group/{name.lower()}", region),
                         description, _tags(tags), exist_ok=exist_ok)
    return describe_model_package_group(name)


def describe_model_package_group(name: str) -> ModelPackageGroupDescription:
    """Everything about group `name` (NotFoundError names the groups there are)."""
    return _describe(group_of(name))


def list_model_package_groups(name_contains: str | None = None) -> list[ModelPackageGroupDescription]:
    """Every group (whose name contains `name_contains`, without case), newest first."""
    rows = records.group_rows(get_store())
    return [_describe(r) for r in rows if (name_contains or "").lower() in r["name"].lower()]


def delete_model_package_group(name: str) -> None:
    """Delete group `name`; ConflictError while it holds versions (delete them first)."""
    records.delete_group(get_store(), group_of(name)["name"])

