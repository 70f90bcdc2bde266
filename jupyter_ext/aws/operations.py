"""The operations the local AWS endpoint serves, by service, and how our errors read in AWS's words.

Each module in `OPERATION_MODULES` has `SERVICE` (botocore's service name) and
`OPERATIONS` ({operation name: handler}), or `OPERATION_TABLES` ({service: operations}) when
it serves several services; a handler takes a `Call` and returns the
answer's members as a dict (shaped by botocore's output shape on the way out).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import ConflictError, JupyterExtError, NotFoundError, ValidationError
from .credentials import LOCAL_ACCOUNT
from .protocol import AwsError

__all__ = ["Call", "Operation", "OPERATION_MODULES", "operations", "served_operations", "operations_markdown", "handle",
           "arn"]

log = logging.getLogger("jupyter_ext.aws")

OPERATION_MODULES = [
    "jupyter_ext.aws.training_jobs", "jupyter_ext.aws.processing_jobs", "jupyter_ext.aws.tags",
    "jupyter_ext.aws.logs", "jupyter_ext.aws.metrics", "jupyter_ext.aws.identity",
    "jupyter_ext.aws.hosting_models", "jupyter_ext.aws.hosting_endpoints", "jupyter_ext.aws.model_packages", "jupyter_ext.aws.runtime",
    "jupyter_ext.aws.experiments", "jupyter_ext.aws.trial_components", "jupyter_ext.aws.search",
    "jupyter_ext.aws.transform_jobs", "jupyter_ext.aws.compilation_jobs", "jupyter_ext.aws.labeling_jobs",
    "jupyter_ext.aws.tuning_jobs",
    "jupyter_ext.aws.automl_jobs",
    "jupyter_ext.aws.monitoring_schedules", "jupyter_ext.aws.monitoring_definitions",
    "jupyter_ext.aws.pipelines",
]


@dataclass(frozen=True)
class Call:
    """One request: which operation of which service, its checked parameters, and the
    region the caller signed for."""

    service: str
    operation: str
    params: dict[str, Any]
    region: str
    account: str = LOCAL_ACCOUNT


Operation = Callable[[Call], "dict[str, Any] | None"]
_TABLES: dict[str, dict[str, Operation]] = {}
_TABLES_LOCK = threading.Lock()


def operations(service: str) -> dict[str, Operation]:
    """Every operation served for `service` (botocore's name: "sagemaker", "logs", ...)."""
    with _TABLES_LOCK:  # worker threads ask at once; the tables are built whole, once
        if not _TABLES:
            tables: dict[str, dict[str, Operation]] = {}
            for name in OPERATION_MODULES:
                module = importlib.import_module(name)
                found = getattr(module, "OPERATION_TABLES", None) or {module.SERVICE: module.OPERATIONS}
                for served, table in found.items():
                    tables.setdefault(served, {}).update(table)
            _TABLES.update(tables)
    return _TABLES.get(service, {})


def served_operations() -> dict[str, list[str]]:
    """Every operation served, by service, sorted."""
    operations("sagemaker")
    return {service: sorted(table) for service, table in sorted(_TABLES.items())}


def operations_markdown() -> str:
    """The served operations as the README lists them (`jupyter-ext aws operations` prints it)."""
    return "\n".join(f"- `{service}`: " + ", ".join(names) for service, names in served_operations().items())


def arn(call: Call, resource: str) -> str:
    """The ARN of a SageMaker `resource` ("training-job/NAME") in the caller's region."""
    return f"arn:aws:{call.service}:{call.region}:{call.account}:{resource}"


_NOT_FOUND = {"sagemaker": "ValidationException", "logs": "ResourceNotFoundException"}
_CONFLICT = {"sagemaker": "ResourceInUse", "logs": "ResourceAlreadyExistsException"}


def handle(call: Call) -> dict[str, Any]:
    """Run `call`'s operation; our errors become AwsErrors in the service's own codes."""
    served = operations(call.service)
    handler = served.get(call.operation)
    if handler is None:
        raise AwsError("UnknownOperationException",
                       f"jupyter_ext's local AWS endpoint does not serve {call.service} {call.operation} yet; it "
                       f"serves {', '.join(sorted(served)) or 'nothing of that service'}.")
    try:
        return handler(call) or {}
    except AwsError:
        raise
    except NotFoundError as error:
        raise AwsError(_NOT_FOUND.get(call.service, "ResourceNotFoundException"), str(error)) from None
    except ConflictError as error:
        raise AwsError(_CONFLICT.get(call.service, "ConflictException"), str(error)) from None
    except ValidationError as error:
        raise AwsError("ValidationException", str(error)) from None
    except JupyterExtError as error:
        raise AwsError("ValidationException", str(error)) from None
    except Exception:
        log.exception("%s %s failed", call.service, call.operation)
        raise AwsError("InternalFailure", f"{call.operation} failed inside jupyter_ext: see the AWS endpoint's "
                       "log (`jupyter-ext aws status` names it).", 500) from None
