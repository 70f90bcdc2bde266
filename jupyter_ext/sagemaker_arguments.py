"""SageMaker arguments that have no local meaning: which are accepted silently, and the
one warning for the rest.

Notebooks written for SageMaker pass arguments about AWS (role, session, instance type,
encryption, networking). Those change nothing here and are accepted without a word.
Any other argument we do not honour (`enable_cloudwatch_metrics`,
`post_analytics_processor_script`, `checkpoint_s3_uri`, ...) would change what SageMaker
does, so dropping it silently would hide a difference: `ignore_sagemaker_arguments`
warns once per argument name (per process) with a `SageMakerArgumentWarning`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

__all__ = ["HARMLESS_ARGUMENTS", "SageMakerArgumentWarning", "ignore_sagemaker_arguments"]

# About where and as whom SageMaker runs a job, not what the job does: nothing to honour.
HARMLESS_ARGUMENTS = frozenset({
    "role", "sagemaker_session", "boto_session", "image_uri", "image_name", "image_scope", "instance_type",
    "instance_count", "initial_instance_count", "framework_version", "py_version", "volume_size",
    "volume_kms_key", "output_kms_key", "kms_key", "encrypt_inter_container_traffic",
    "enable_network_isolation", "network_config", "subnets", "security_group_ids", "vpc_config",
    "tags", "code_location", "container_log_level", "max_wait", "use_spot_instances",
    "enable_sagemaker_metrics", "predictor_cls", "model_server_workers", "accelerator_type",
    "model_kms_key", "artifact_bucket", "artifact_prefix", "sagemaker_client",
    "sagemaker_runtime_client", "max_payload", "volume_kms_key_id", "storage_volume_size",
})

_warned: set[str] = set()


class SageMakerArgumentWarning(UserWarning):
    """A SageMaker argument was given that this local studio does not honour."""


def ignore_sagemaker_arguments(owner: str, arguments: Mapping[str, Any]) -> None:
    """Accept `arguments` that `owner` (e.g. "Estimator", "Model.deploy") does not use:
    harmless ones silently, each other one with a one-line warning, once per name.
    Arguments given as None are taken as not given."""
    for name in sorted(arguments):
        if name in HARMLESS_ARGUMENTS or name in _warned or arguments[name] is None:
            continue
        _warned.add(name)
        warnings.warn(f"{owner}: {name}= is a SageMaker argument this local studio does not honour; "
                      "it is ignored.", SageMakerArgumentWarning, stacklevel=3)
