"""Who the caller is (STS GetCallerIdentity) and what its role may do (IAM GetRole,
SimulatePrincipalPolicy): this machine has one user, the local account, allowed everything.

The SageMaker SDK asks these before it trains (v3 checks the role's permissions); boto3
users call `sts.get_caller_identity()`. The SDK's own `get_execution_role()` asks STS at a
fixed AWS address, so it cannot reach here: give a role string instead.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from .credentials import LOCAL_ROLE
from .operations import Call

__all__ = ["OPERATION_TABLES"]

_CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)


def get_caller_identity(call: Call) -> dict[str, Any]:
    """The local account's user."""
    return {"UserId": "AIDAJUPYTEREXTLOCAL", "Account": call.account,
            "Arn": f"arn:aws:iam::{call.account}:user/jupyter-ext"}


def get_role(call: Call) -> dict[str, Any]:
    """Any role name is a role of the local account."""
    name = call.params["RoleName"].rsplit("/", 1)[-1]
    return {"Role": {"Path": "/", "RoleName": name, "RoleId": "AROAJUPYTEREXTLOCAL", "CreateDate": _CREATED,
                     "Arn": LOCAL_ROLE if name == LOCAL_ROLE.rsplit("/", 1)[-1]
                     else f"arn:aws:iam::{call.account}:role/{name}"}}


def simulate_principal_policy(call: Call) -> dict[str, Any]:
    """Every action on every resource is allowed here."""
    resources = call.params.get("ResourceArns") or ["*"]
    return {"IsTruncated": False, "EvaluationResults": [
        {"EvalActionName": action, "EvalResourceName": resource, "EvalDecision": "allowed"}
        for action in call.params["ActionNames"] for resource in resources]}


OPERATION_TABLES = {"sts": {"GetCallerIdentity": get_caller_identity},
                    "iam": {"GetRole": get_role, "SimulatePrincipalPolicy": simulate_principal_policy}}
