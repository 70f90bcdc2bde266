"""REST routes for the model registry: groups, a group's versions, one version, and approve
or reject it (POST). Each is a few lines over `jupyter_ext.registry`."""

from __future__ import annotations

from ..models import (
    ListModelPackageGroupsResponse, ListModelPackagesRequest, ListModelPackagesResponse, ModelPackageDescription,
    UpdateModelApprovalRequest,
)
from ..registry import describe_model_package, list_model_package_groups, list_model_packages, update_approval
from .base import ApiHandler, api

__all__ = ["ROUTES"]

_GROUP = r"(?P<group>[a-zA-Z0-9-]{1,63})"
_VERSION = f"{_GROUP}/(?P<version>[0-9]{{1,9}})"
_DECISIONS = {"approve": "Approved", "reject": "Rejected"}


class GroupsHandler(ApiHandler):
    """GET /model-package-groups → ListModelPackageGroupsResponse (newest first)."""

    @api
    def get(self) -> ListModelPackageGroupsResponse:
        return ListModelPackageGroupsResponse(list_model_package_groups())


class GroupVersionsHandler(ApiHandler):
    """GET /model-package-groups/{group}/versions[?approval_status=] → ListModelPackagesResponse."""

    @api
    def get(self, group: str) -> ListModelPackagesResponse:
        request = self.query(ListModelPackagesRequest)
        return ListModelPackagesResponse([p.describe() for p in list_model_packages(group, request.approval_status)])


class PackageHandler(ApiHandler):
    """GET /model-packages/{group}/{version} → ModelPackageDescription."""

    @api
    def get(self, group: str, version: str) -> ModelPackageDescription:
        return describe_model_package(f"{group}/{version}")


class DecisionHandler(ApiHandler):
    """POST /model-packages/{group}/{version}/approve (or /reject), UpdateModelApprovalRequest
    body → the version's ModelPackageDescription."""

    @api
    def post(self, group: str, version: str, decision: str) -> ModelPackageDescription:
        request = self.body(UpdateModelApprovalRequest)
        return update_approval(f"{group}/{version}", _DECISIONS[decision], request.approval_description).describe()


ROUTES = [
    ("model-package-groups", GroupsHandler),
    (f"model-package-groups/{_GROUP}/versions", GroupVersionsHandler),
    (f"model-packages/{_VERSION}", PackageHandler),
    (f"model-packages/{_VERSION}/(?P<decision>approve|reject)", DecisionHandler),
]
