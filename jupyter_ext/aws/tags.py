"""SageMaker's tag operations (AddTags, ListTags, DeleteTags) over any resource's ARN."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..store import get_store
from . import records
from .operations import Call

__all__ = ["SERVICE", "OPERATIONS", "record_tags"]

SERVICE = "sagemaker"


def record_tags(arn: str, tags: Iterable[Mapping[str, str]]) -> None:
    """Keep the request's `Tags` ([{"Key", "Value"}]) of the resource `arn`."""
    records.set_tags(get_store(), arn, [(tag["Key"], tag.get("Value", "")) for tag in tags])


def add_tags(call: Call) -> dict[str, Any]:
    """AddTags: the tags given, as they are now."""
    record_tags(call.params["ResourceArn"], call.params["Tags"])
    return {"Tags": call.params["Tags"]}


def list_tags(call: Call) -> dict[str, Any]:
    """ListTags of one resource (one page holds them all)."""
    tags = records.tags_of(get_store(), call.params["ResourceArn"])
    return {"Tags": [{"Key": key, "Value": value} for key, value in tags]}


def delete_tags(call: Call) -> None:
    """DeleteTags by key."""
    records.delete_tags(get_store(), call.params["ResourceArn"], call.params["TagKeys"])


OPERATIONS = {"AddTags": add_tags, "ListTags": list_tags, "DeleteTags": delete_tags}
