"""What a job created through the AWS API keeps of its request: the `aws` job extension.

`Estimator(..., sagemaker_request=request, job_notices=[...])` (and Processor and
Transformer) record the SageMaker request on the job (`spec.record["sagemaker"]`), so
Describe* answers with what was asked for; the notices (a framework version unlike the installed one) go to the top
of the job's log.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..errors import ValidationError
from ..jobs import JobExtension, Submission

__all__ = ["AWS_EXTENSION", "jsonable", "sagemaker_request"]


def jsonable(value: Any) -> Any:
    """`value` with datetimes as epoch seconds and bytes as base64, so it can be stored as JSON."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _check(options: Mapping[str, Any]) -> None:
    request = options.get("sagemaker_request")
    if request is not None and not isinstance(request, Mapping):
        raise ValidationError("sagemaker_request must be the SageMaker request (a dict).")
    notices = options.get("job_notices")
    if notices is not None and not all(isinstance(n, str) for n in notices):
        raise ValidationError("job_notices must be a list of strings.")


def _on_spec(submission: Submission) -> None:
    request = submission.options.get("sagemaker_request")
    if request is not None:
        submission.spec.record["sagemaker"] = jsonable(dict(request))
    submission.spec.notices.extend(submission.options.get("job_notices") or [])


def sagemaker_request(record: Mapping[str, Any]) -> dict[str, Any]:
    """The SageMaker request a job was created with ({} for a job made in Python)."""
    return dict(record.get("sagemaker") or {})


AWS_EXTENSION = JobExtension(options=("sagemaker_request", "job_notices"),
                             job_types=("Training", "Processing", "Transform", "Tuning", "AutoML", "Compilation",
                                        "Labeling"),
                             check=_check, on_spec=_on_spec)
