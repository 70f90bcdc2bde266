"""The model registry (SageMaker's Model Registry): model package groups, their versions
1, 2, 3... with an approval status, metrics and the training job they came from; deploy an
approved version by its ARN, and follow an endpoint's lineage back to its data.

    from jupyter_ext.registry import ModelPackage, list_model_packages, update_approval
    package = model.register(model_package_group_name="churn", approval_status="PendingManualApproval")
    update_approval(package.arn, "Approved", "AUC 0.91 on the holdout")
    predictor = ModelPackage(package.arn).deploy()
    lineage(predictor.endpoint_name).training_job

Names are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    **dict.fromkeys(["create_model_package_group", "delete_model_package_group", "describe_model_package_group",
                     "list_model_package_groups"], "groups"),
    "lineage": "lineage",
    **dict.fromkeys(["MetricsSource", "ModelMetrics"], "metrics"),
    **dict.fromkeys(["ModelPackage", "ModelPackageGroup", "check_approval_status", "delete_model_package",
                     "describe_model_package", "list_model_packages", "register_model", "update_approval",
                     "update_model_package"], "packages"),
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .groups import (
        create_model_package_group, delete_model_package_group, describe_model_package_group,
        list_model_package_groups,
    )
    from .lineage import lineage
    from .metrics import MetricsSource, ModelMetrics
    from .packages import (
        ModelPackage, ModelPackageGroup, check_approval_status, delete_model_package, describe_model_package,
        list_model_packages, register_model, update_approval, update_model_package,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'jupyter_ext.registry' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
