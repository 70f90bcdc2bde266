"""The model registry verbs: `jupyter-ext models list-groups|list|describe|approve|reject|lineage`
and `%model`."""

from __future__ import annotations

import argparse
from typing import Any

from ..models import ModelPackageDescription, ModelPackageGroupDescription
from ..registry import (
    describe_model_package, lineage, list_model_package_groups, list_model_packages, update_approval,
)
from . import Verb, VerbTable, arg
from .text import text_table

__all__ = ["MODELS", "groups_table", "packages_table"]


def groups_table(groups: list[ModelPackageGroupDescription]) -> str:
    """Model package groups as a text table: name, versions, latest version, description."""
    if not groups:
        return "No model package groups."
    rows = [("GROUP", "VERSIONS", "LATEST", "DESCRIPTION")]
    rows += [(g.name, str(g.package_count), str(g.latest_version or "-"), g.description or "") for g in groups]
    return text_table(rows)


def packages_table(packages: list[ModelPackageDescription]) -> str:
    """Model package versions as a text table: group, version, approval, training job, ARN."""
    if not packages:
        return "No model package versions."
    rows = [("GROUP", "VERSION", "APPROVAL", "CREATED", "TRAINING JOB", "ARN")]
    rows += [(p.group, str(p.version), p.approval_status, p.created_at.strftime("%Y-%m-%d %H:%M:%S"),
              p.source_job or "-", p.arn) for p in packages]
    return text_table(rows)


def _list_groups(args: argparse.Namespace) -> list[ModelPackageGroupDescription]:
    return list_model_package_groups(args.name_contains)


def _list(args: argparse.Namespace) -> list[ModelPackageDescription]:
    return [p.describe() for p in list_model_packages(args.group, args.status)]


def _describe(args: argparse.Namespace) -> list[dict[str, Any]]:
    return [describe_model_package(reference).to_dict() for reference in args.packages]


def _set_status(status: str) -> Any:
    def run(args: argparse.Namespace) -> None:
        package = update_approval(args.package, status, args.description)
        print(f"{package.arn}: {status}")
    return run


def _lineage(args: argparse.Namespace) -> dict[str, Any]:
    return lineage(args.endpoint, args.variant).to_dict()


_PACKAGE_HELP = "the version's ARN, or GROUP/VERSION"

MODELS = VerbTable("models", "the model registry: groups of versioned models, approve or reject a version", (
    Verb("list-groups", "model package groups, newest first", _list_groups, (
        arg("--name-contains", default=None, help="only groups whose name contains this"),
        arg("--json", action="store_true", help="JSON records"),
    )),
    Verb("list", "registered versions, newest first", _list, (
        arg("group", nargs="?", default=None, help="a model package group (default: every group)"),
        arg("--status", default=None, help="only PendingManualApproval, Approved or Rejected versions"),
        arg("--json", action="store_true", help="JSON records"),
    )),
    Verb("describe", "everything about versions, as JSON", _describe, (
        arg("packages", nargs="+", metavar="package", help=_PACKAGE_HELP),
    )),
    Verb("approve", "approve a version (it can then be deployed)", _set_status("Approved"), (
        arg("package", help=_PACKAGE_HELP),
        arg("--description", default=None, help="why (kept as the ApprovalDescription)"),
    )),
    Verb("reject", "reject a version", _set_status("Rejected"), (
        arg("package", help=_PACKAGE_HELP),
        arg("--description", default=None, help="why (kept as the ApprovalDescription)"),
    )),
    Verb("lineage", "where an endpoint's model came from: version, training job, data, run", _lineage, (
        arg("endpoint", help="endpoint name"),
        arg("--variant", default=None, help="the variant (default: the first serving a registered version)"),
    )),
), default_verb="list", magic_name="model")
