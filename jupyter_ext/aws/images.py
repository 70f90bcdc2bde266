"""Which container images run here: SageMaker's framework images, run in this Python.

A framework image (the URIs `sagemaker.image_uris.retrieve` makes, e.g.
`683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3`) runs
its script with the installed framework, under the framework containers' contract (the
`sagemaker-xgboost` image without a script runs the built-in XGBoost algorithm instead:
builtin_algorithms.py). The version asked for is kept; one unlike the installed version is a
notice in the job's log.
SageMaker's model-monitor analyzer (`image_uris.retrieve("model-monitor", region)`) runs as
jupyter_ext.monitor's analyzer (monitoring_baselines.py, monitoring_schedules.py). Any
other image is refused with the list of what runs here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata

from .protocol import AwsError

__all__ = ["FrameworkImage", "framework_image", "FRAMEWORK_REPOSITORIES", "MODEL_MONITOR_REPOSITORY",
           "is_model_monitor_image"]

# repository name -> (framework, the PyPI distribution that stands for it here)
FRAMEWORK_REPOSITORIES = {
    "sagemaker-scikit-learn": ("sklearn", "scikit-learn"),
    "pytorch-training": ("pytorch", "torch"),
    "pytorch-inference": ("pytorch", "torch"),
    "sagemaker-pytorch": ("pytorch", "torch"),
    "sagemaker-xgboost": ("xgboost", "xgboost"),
    "tensorflow-training": ("tensorflow", "tensorflow"),
    "tensorflow-inference": ("tensorflow", "tensorflow"),
    "huggingface-pytorch-training": ("huggingface", "transformers"),
    "huggingface-pytorch-inference": ("huggingface", "transformers"),
    # The InferenceImage of a compilation job (compilation_jobs.py): served by ONNX Runtime.
    "sagemaker-neo-pytorch": ("onnx", "onnxruntime"),
    "sagemaker-neo-sklearn": ("onnx", "onnxruntime"),
    "sagemaker-neo-xgboost": ("onnx", "onnxruntime"),
}
# Builds of a distribution published under other names (xgboost's CPU-only wheel).
_BUILDS = {"xgboost": ("xgboost-cpu",)}
MODEL_MONITOR_REPOSITORY = "sagemaker-model-monitor-analyzer"
_IMAGE = re.compile(r"^(?:(?P<registry>[^/]+)/)?(?P<repository>[a-z0-9._/-]+?)(?::(?P<tag>[A-Za-z0-9._-]+))?(?:@.+)?$")
_VERSION = re.compile(r"^(\d+(?:\.\d+)*)")


@dataclass(frozen=True)
class FrameworkImage:
    """A framework image: its framework, the version its tag asks for and the installed one."""

    uri: str
    framework: str
    distribution: str
    version: str | None
    installed: str | None

    def notices(self) -> list[str]:
        """What the job's log should say about versions (nothing when they agree)."""
        if self.installed is None:
            return [f"Warning: {self.uri} asks for {self.framework} {self.version or ''}, but {self.distribution} is "
                    f"not installed here; pip install {self.distribution} if the script imports it."]
        if self.version and not _same_release(self.version, self.installed):
            return [f"Warning: {self.uri} asks for {self.framework} {self.version}; this machine runs "
                    f"{self.distribution} {self.installed}."]
        return []


def _same_release(asked: str, installed: str) -> bool:
    def release(text: str) -> list[str]:
        match = _VERSION.match(text)
        return match.group(1).split(".")[:2] if match else []

    parts = release(asked)
    return bool(parts) and release(installed)[: len(parts)] == parts


def _version_of(repository: str, tag: str | None) -> str | None:
    if not tag:
        return None
    if repository.startswith("huggingface"):
        found = re.search(r"transformers(\d+(?:\.\d+)*)", tag)
        return found.group(1) if found else None
    match = _VERSION.match(tag)
    return match.group(1) if match else None


def _repository(uri: str | None) -> str:
    match = _IMAGE.match(uri or "")
    return match.group("repository").rsplit("/", 1)[-1] if match else ""


def _installed(distribution: str) -> str | None:
    """The installed version of `distribution`, or of a build of it under another name."""
    for name in (distribution, *_BUILDS.get(distribution, ())):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def is_model_monitor_image(uri: str | None) -> bool:
    """Whether `uri` is SageMaker's model-monitor analyzer image (any region's registry, any tag)."""
    return _repository(uri) == MODEL_MONITOR_REPOSITORY


def framework_image(uri: str | None, what: str = "TrainingImage") -> FrameworkImage:
    """The framework image `uri` names; AwsError ValidationException for any other image."""
    match = _IMAGE.match(uri or "")
    repository = _repository(uri)
    if repository not in FRAMEWORK_REPOSITORIES:
        served = ", ".join(sorted(FRAMEWORK_REPOSITORIES))
        raise AwsError("ValidationException",
                       f"{what} {uri!r} cannot run here: jupyter_ext runs SageMaker's framework images in its own "
                       f"Python, without Docker. Use one of these repositories (as sagemaker.image_uris.retrieve "
                       f"names them): {served}; or, for Model Monitor's jobs, {MODEL_MONITOR_REPOSITORY}.")
    framework, distribution = FRAMEWORK_REPOSITORIES[repository]
    return FrameworkImage(uri or "", framework, distribution, _version_of(repository, match.group("tag")),
                          _installed(distribution))
