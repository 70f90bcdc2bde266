"""The local AWS endpoint's keys, and the environment that points clients at it.

The keys are made at the service's first start and kept in `<home>/aws/credentials.json`,
readable by the user alone. Clients (boto3, the SageMaker SDK, the AWS CLI) find the
service through the standard variables `aws_environment()` gives: `AWS_ENDPOINT_URL`
(every service), `AWS_ENDPOINT_URL_S3` (rclone's S3 server), the keys and a region. The
SDK's default bucket and role come from a SageMaker SDK config file named by
`SAGEMAKER_USER_CONFIG_OVERRIDE`, so the SDK never asks STS (which it calls at a fixed
AWS address) for the account. (SDK v3 checks a job's role with IAM's policy simulator:
the endpoint answers that too, allowing everything.)
"""

from __future__ import annotations

import json
import os
import secrets
import string
from pathlib import Path

from ..models.sagemaker_names import DEFAULT_REGION, LOCAL_ACCOUNT
from ..store import home

__all__ = ["ServiceKeys", "service_keys", "keys_file", "aws_environment", "sdk_config_file",
           "LOCAL_ACCOUNT", "DEFAULT_REGION", "LOCAL_ROLE", "default_bucket"]

LOCAL_ROLE = f"arn:aws:iam::{LOCAL_ACCOUNT}:role/jupyter-ext-local"


class ServiceKeys(tuple):
    """(access key id, secret access key)."""

    @property
    def access_key(self) -> str:
        """The access key id."""
        return self[0]

    @property
    def secret_key(self) -> str:
        """The secret access key."""
        return self[1]


def keys_file() -> Path:
    """Where the service's keys are kept."""
    return home() / "aws" / "credentials.json"


def service_keys() -> ServiceKeys:
    """The service's keys, made (and written, mode 0600) on first use."""
    path = keys_file()
    try:
        data = json.loads(path.read_text())
        return ServiceKeys((data["aws_access_key_id"], data["aws_secret_access_key"]))
    except (OSError, ValueError, KeyError):
        pass
    alphabet = string.ascii_uppercase + string.digits
    keys = ServiceKeys(("AKIA" + "".join(secrets.choice(alphabet) for _ in range(16)), secrets.token_urlsafe(30)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump({"aws_access_key_id": keys[0], "aws_secret_access_key": keys[1]}, out)
    try:
        os.link(temporary, path)  # the first process to make keys wins; the others read its keys
    except FileExistsError:
        temporary.unlink()
        return service_keys()
    temporary.unlink()
    return keys


def default_bucket(region: str = DEFAULT_REGION) -> str:
    """The SDK's default bucket name here (as AWS would name it for the local account)."""
    return f"sagemaker-{region}-{LOCAL_ACCOUNT}"


def sdk_config_file(region: str = DEFAULT_REGION) -> Path:
    """The SageMaker SDK config (default bucket; role of jobs, models and pipelines),
    written on each call so it follows the region."""
    path = home() / "aws" / "sagemaker-config.yaml"
    lines = ["SchemaVersion: '1.0'", "SageMaker:", "  PythonSDK:", "    Modules:", "      TelemetryOptOut: true",
             "      Session:", f"        DefaultS3Bucket: {default_bucket(region)}"]
    for section in ("TrainingJob", "ProcessingJob", "CompilationJob", "AutoMLJob", "AutoMLJobV2", "Pipeline"):
        lines += [f"  {section}:", f"    RoleArn: {LOCAL_ROLE}"]
    lines += ["  Model:", f"    ExecutionRoleArn: {LOCAL_ROLE}", "  MonitoringSchedule:",
              "    MonitoringScheduleConfig:", "      MonitoringJobDefinition:", f"        RoleArn: {LOCAL_ROLE}"]
    text = "\n".join(lines) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)
    return path


def aws_environment(url: str, s3_url: str, region: str = DEFAULT_REGION) -> dict[str, str]:
    """The variables a client needs to talk to the service at `url` (S3 at `s3_url`)."""
    keys = service_keys()
    return {
        "AWS_ENDPOINT_URL": url,
        "AWS_ENDPOINT_URL_S3": s3_url,
        "AWS_ACCESS_KEY_ID": keys.access_key,
        "AWS_SECRET_ACCESS_KEY": keys.secret_key,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "SAGEMAKER_USER_CONFIG_OVERRIDE": str(sdk_config_file(region)),
    }
