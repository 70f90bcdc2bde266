"""The local AWS endpoint: SageMaker's, CloudWatch Logs' and CloudWatch's wire protocols
over jupyter_ext's jobs, with rclone's S3 server beside them, so boto3, the SageMaker SDK
and the AWS CLI work unchanged (`jupyter-ext aws serve`, then `eval "$(jupyter-ext aws env)"`).

Like the Livy gateway, it is a thin translation: each operation calls the same Python API
the magics and the sidebar use, and owns no job logic of its own.
"""

from __future__ import annotations

from .credentials import LOCAL_ACCOUNT, LOCAL_ROLE, aws_environment, default_bucket, keys_file, service_keys
from .service import DEFAULT_PORT, AwsService, detached_service, running_service, use_local_endpoint

__all__ = ["AwsService", "DEFAULT_PORT", "LOCAL_ACCOUNT", "LOCAL_ROLE", "aws_environment", "default_bucket",
           "detached_service", "keys_file", "running_service", "service_keys", "use_local_endpoint"]
