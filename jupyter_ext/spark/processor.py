"""`PySparkProcessor`: SageMaker's Spark processing job, run as a Livy batch.

The job is a Processing job like any other (inputs, outputs, logs, status); its
program, `python -m jupyter_ext.spark.run_submit`, submits `submit_app` as a Livy batch to
the configured Livy URL, streams the batch log into the job log and exits with the
batch's final state.
"""

from __future__ import annotations

import difflib

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..sagemaker_arguments import ignore_sagemaker_arguments
from ..errors import ValidationError
from ..processing import PROCESSING_ROOT, ProcessingInput, ProcessingOutput, Processor

__all__ = ["PySparkProcessor", "spark_conf"]


# The classifications SageMaker's PySparkProcessor accepts; only spark-defaults matters to a Livy batch.
CLASSIFICATIONS = ("core-site", "hadoop-env", "hadoop-log4j", "hive-env", "hive-exec-log4j", "hive-log4j",
                   "hive-site", "spark-defaults", "spark-env", "spark-log4j", "spark-hive-site",
                   "spark-metrics", "yarn-env", "yarn-site")


def spark_conf(configuration: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None) -> dict[str, str]:
    """Spark settings from SageMaker's `configuration`: EMR-style classifications
    (`spark-defaults` properties are used) or a plain `{key: value}` mapping."""
    if not configuration:
        return {}
    if isinstance(configuration, Mapping) and "Classification" not in configuration:
        return {str(k): str(v) for k, v in configuration.items()}
    classifications = [configuration] if isinstance(configuration, Mapping) else list(configuration)
    conf: dict[str, str] = {}
    for item in classifications:
        if not isinstance(item, Mapping) or "Classification" not in item:
            raise ValidationError("configuration entries look like {'Classification': 'spark-defaults', "
                                  f"'Properties': {{...}}}}; got {item!r}.")
        if item["Classification"] not in CLASSIFICATIONS:
            close = difflib.get_close_matches(str(item["Classification"]), CLASSIFICATIONS, 1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValidationError(f"Unknown configuration classification {item['Classification']!r}: {hint}"
                                  f"SageMaker's are {', '.join(sorted(CLASSIFICATIONS))}.")
        if item["Classification"] == "spark-defaults":
            conf.update({str(k): str(v) for k, v in item.get("Properties", {}).items()})
    return conf


def _is_remote(uri: str) -> bool:
    return urlparse(uri).scheme not in ("", "file")


class PySparkProcessor(Processor):
    """Runs a PySpark application as a processing job, submitted to Livy as a batch.

    `livy_url` defaults to `$JUPYTER_EXT_LIVY_URL`, else a detached `jupyter-ext livy serve`
    gateway, else http://127.0.0.1:8998. The embedded gateway's token is sent without
    asking (the job finds it in the jupyter_ext home); `livy_auth=(user, password)` sends
    Basic auth instead.
    `framework_version`, `role` and `image_uri` are accepted for SageMaker compatibility.
    """

    job_kind = "spark"

    def __init__(self, livy_url: str | None = None, livy_auth: tuple[str, str] | None = None,
                 framework_version: str | None = None, poll_seconds: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from .client import default_livy_url

        self.livy_url = (livy_url or default_livy_url()).rstrip("/")
        if not self.livy_url.startswith(("http://", "https://")):
            raise ValidationError(f"livy_url {self.livy_url!r} must start with http:// or https://.")
        self.livy_auth = livy_auth
        self.framework_version = framework_version
        self.poll_seconds = poll_seconds

    def run(self, submit_app: str, submit_py_files: Sequence[str] | None = None,  # type: ignore[override]
            submit_jars: Sequence[str] | None = None, submit_files: Sequence[str] | None = None,
            inputs: Sequence[ProcessingInput] | None = None, outputs: Sequence[ProcessingOutput] | None = None,
            arguments: Sequence[str] | None = None, wait: bool = True, logs: bool = True,
            job_name: str | None = None, experiment_config: Mapping[str, str] | None = None,
            configuration: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
            **_sagemaker_only: Any) -> None:
        """Submit `submit_app` (a local .py file) with `arguments`; with `wait`, raise unless
        the job Completed (the batch ended in `success`)."""
        ignore_sagemaker_arguments("PySparkProcessor.run", _sagemaker_only)
        self.experiment_config = experiment_config
        app = Path(submit_app).resolve()
        if _is_remote(submit_app) or not app.is_file() or app.suffix != ".py":
            raise ValidationError(f"submit_app {submit_app} must be a local .py file (looked for {app}).")
        if self.base_job_name == self.job_kind:
            self.base_job_name = app.stem
        batch = {"pyFiles": self._dependencies(submit_py_files, "submit_py_files"),
                 "jars": self._dependencies(submit_jars, "submit_jars"),
                 "files": self._dependencies(submit_files, "submit_files"),
                 "conf": spark_conf(configuration)}
        container = f"{PROCESSING_ROOT}input/code/{app.name}"
        command = ["python3", "-m", "jupyter_ext.spark.run_submit", "--livy-url", self.livy_url,
                   "--poll", str(self.poll_seconds), "--batch", json.dumps({k: v for k, v in batch.items() if v}),
                   "--file", container, "--", *map(str, arguments or [])]
        env_auth = {"JUPYTER_EXT_LIVY_AUTH": ":".join(self.livy_auth)} if self.livy_auth else {}
        self.env.update(env_auth)
        self._launch(command, inputs, outputs, wait, logs, job_name, code=(app, container),
                     extra={"livy_url": self.livy_url})

    @staticmethod
    def _dependencies(paths: Sequence[str] | None, what: str) -> list[str]:
        resolved = []
        for path in paths or []:
            if _is_remote(path):
                resolved.append(path)
                continue
            local = Path(path).resolve()
            if not local.exists():
                raise ValidationError(f"{what}: {path} not found (looked for {local}).")
            resolved.append(str(local))
        return resolved
