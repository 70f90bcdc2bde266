"""The debugger hook configuration a job gets: SageMaker's `DebuggerHookConfig`,
`CollectionConfig` and `TensorBoardOutputConfig` on the notebook side,
`debughookconfig.json` and `tensorboardoutputconfig.json` in between, and the Hook
arguments they mean on the training side. Every parameter value is a string, as in SageMaker.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..store import join_uri
from .config import BUILTIN_COLLECTIONS, Collection, ModeKeys, ReductionConfig, SaveConfig, SaveConfigMode

__all__ = ["DebuggerHookConfig", "CollectionConfig", "TensorBoardOutputConfig", "read_hook_config",
           "hook_config_given", "hook_arguments", "tensorboard_dir", "CONFIG_FILE_VARIABLE", "CONFIG_FILE_NAME",
           "TENSORBOARD_CONFIG_VARIABLE", "TENSORBOARD_CONFIG_FILE_NAME"]

CONFIG_FILE_VARIABLE = "SMDEBUG_CONFIG_FILE_PATH"
CONFIG_FILE_NAME = "debughookconfig.json"
TENSORBOARD_CONFIG_VARIABLE = "TENSORBOARD_CONFIG_FILE_PATH"
TENSORBOARD_CONFIG_FILE_NAME = "tensorboardoutputconfig.json"
_CONTAINER_ROOT = "/opt/ml/"
_SAVE_KEYS = ("save_interval", "save_steps", "start_step", "end_step")


@dataclass
class CollectionConfig:
    """A collection to save in the job: `name` and string `parameters` (include_regex,
    save_interval, reductions, train.save_interval, ...)."""

    name: str
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass
class DebuggerHookConfig:
    """How the training job's hook saves tensors (SageMaker's DebuggerHookConfig).

    Tensors are kept after the job at `<s3_output_path>/<job>/debug-output`, as in SageMaker
    (`s3_output_path` defaults to the Estimator's output_path); `hook_parameters` and
    `collection_configs` reach `Hook.create_from_json_file()` in the job as strings.
    """

    s3_output_path: str | None = None
    container_local_output_path: str | None = None
    hook_parameters: dict[str, Any] = field(default_factory=dict)
    collection_configs: list[CollectionConfig] = field(default_factory=list)

    def to_json(self, local_path: str, s3_path: str) -> dict[str, Any]:
        """debughookconfig.json for a job whose tensors go to `local_path`."""
        return {"S3OutputPath": s3_path, "LocalPath": local_path,
                "HookParameters": {k: _text(v) for k, v in self.hook_parameters.items()},
                "CollectionConfigurations": [
                    {"CollectionName": c.name, "CollectionParameters": {k: _text(v) for k, v in c.parameters.items()}}
                    for c in self.collection_configs]}

    @classmethod
    def from_json(cls, config: Mapping[str, Any]) -> DebuggerHookConfig:
        """The hook config SageMaker's DebugHookConfig (a CreateTrainingJob member) describes.
        Collections named twice (a rule's defaults and yours) become one that saves as often
        as either asks (the smallest `save_interval`s, every `include_regex`)."""
        merged: dict[str, dict[str, str]] = {}
        for item in config.get("CollectionConfigurations") or []:
            name = item.get("CollectionName")
            if not name:
                raise ValidationError("Each CollectionConfigurations entry needs a CollectionName.")
            _merge(merged.setdefault(name, {}), {k: _text(v) for k, v in (item.get("CollectionParameters") or {}).items()})
        return cls(config.get("S3OutputPath"), config.get("LocalPath"),
                   {k: _text(v) for k, v in (config.get("HookParameters") or {}).items()},
                   [CollectionConfig(name, parameters) for name, parameters in merged.items()])


def _merge(into: dict[str, str], parameters: Mapping[str, str]) -> None:
    for key, value in parameters.items():
        if key not in into:
            into[key] = value
        elif key.endswith("save_interval") and value.isdigit() and into[key].isdigit():
            into[key] = str(min(int(value), int(into[key])))
        elif key == "include_regex":
            into[key] = ",".join(dict.fromkeys(_list(into[key]) + _list(value)))


@dataclass
class TensorBoardOutputConfig:
    """Where a training job's TensorBoard files go (SageMaker's TensorBoardOutputConfig): the
    job writes them under `container_local_output_path` (default /opt/ml/output/tensorboard,
    which is in the job's folder) and they are kept at `<s3_output_path>/<job>/tensorboard-output`.
    A hook made with `Hook.create_from_json_file()` writes its losses and scalars there."""

    s3_output_path: str
    container_local_output_path: str | None = None

    def local_folder(self) -> str:
        """The folder inside the job folder the job writes to; ValidationError for a path
        outside /opt/ml (a job here writes only under its own folder)."""
        path = self.container_local_output_path or "/opt/ml/output/tensorboard"
        if not path.startswith(_CONTAINER_ROOT) or ".." in Path(path).parts or path.rstrip("/") == _CONTAINER_ROOT[:-1]:
            raise ValidationError(f"TensorBoardOutputConfig container_local_output_path {path!r}: a job writes under "
                                  "its own folder here; give a folder under /opt/ml/ (or leave it out for "
                                  "/opt/ml/output/tensorboard).")
        return path[len(_CONTAINER_ROOT):].rstrip("/")

    def output_uri(self, job_name: str) -> str:
        """Where the files are kept after the job."""
        return join_uri(self.s3_output_path, job_name, "tensorboard-output")

    def to_json(self, local_path: str, job_name: str) -> dict[str, Any]:
        """tensorboardoutputconfig.json for a job writing to `local_path`."""
        return {"LocalPath": local_path, "S3OutputPath": self.output_uri(job_name)}

    @classmethod
    def from_json(cls, config: Mapping[str, Any]) -> TensorBoardOutputConfig:
        """The config SageMaker's TensorBoardOutputConfig (a CreateTrainingJob member) describes."""
        return cls(config["S3OutputPath"], config.get("LocalPath"))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _job_config_files() -> list[str]:
    found = []
    if os.environ.get("SAGEMAKER_BASE_DIR"):
        found.append(str(Path(os.environ["SAGEMAKER_BASE_DIR"]) / "input" / "config" / CONFIG_FILE_NAME))
    return [*found, f"/opt/ml/input/config/{CONFIG_FILE_NAME}"]


def tensorboard_dir(hook_parameters: Mapping[str, str]) -> str | None:
    """Where the hook writes TensorBoard files: in a job with a TensorBoardOutputConfig its
    LocalPath (from $TENSORBOARD_CONFIG_FILE_PATH or the job's input/config file), else the
    `tensorboard_dir` hook parameter (`export_tensorboard` alone means `<out_dir>/tensorboard`)."""
    base = Path(os.environ.get("SAGEMAKER_BASE_DIR") or "/opt/ml") / "input" / "config" / TENSORBOARD_CONFIG_FILE_NAME
    for candidate in filter(None, [os.environ.get(TENSORBOARD_CONFIG_VARIABLE), str(base)]):
        if Path(candidate).is_file():
            try:
                return json.loads(Path(candidate).read_text()).get("LocalPath")
            except ValueError as error:
                raise ValidationError(f"TensorBoard config {candidate} is not valid JSON ({error}).") from None
    return hook_parameters.get("tensorboard_dir") or None


def hook_config_given(path: str | None = None) -> bool:
    """Whether there is a debugger config to make a hook from: `path` or
    $SMDEBUG_CONFIG_FILE_PATH is set, or the job's input/config file exists."""
    return bool(path or os.environ.get(CONFIG_FILE_VARIABLE)) or any(Path(f).is_file() for f in _job_config_files())


def read_hook_config(path: str | None = None) -> dict[str, Any]:
    """The JSON config at `path`, $SMDEBUG_CONFIG_FILE_PATH, or the job's input/config file."""
    candidates = [path, os.environ.get(CONFIG_FILE_VARIABLE), *_job_config_files()]
    for candidate in filter(None, candidates):
        if Path(candidate).is_file():
            try:
                return json.loads(Path(candidate).read_text())
            except ValueError as error:
                raise ValidationError(f"Debugger config {candidate} is not valid JSON ({error}).") from None
        if candidate in (path, os.environ.get(CONFIG_FILE_VARIABLE)):
            raise ValidationError(f"Debugger config {candidate} does not exist.")
    raise ValidationError(
        "No debugger config found: start the job with Estimator(..., debugger_hook_config=DebuggerHookConfig()) "
        f"or set {CONFIG_FILE_VARIABLE}; outside a job use Hook(out_dir=...)."
    )


def _flag(parameters: Mapping[str, str], key: str) -> bool:
    return str(parameters.get(key, "false")).strip().lower() == "true"


def _list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _save_config(parameters: Mapping[str, str]) -> SaveConfig | None:
    """SaveConfig from `save_interval`-style keys and `train.`/`eval.`/... prefixed ones."""
    def values(prefix: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key in _SAVE_KEYS:
            if prefix + key in parameters:
                text = parameters[prefix + key]
                found[key] = [int(s) for s in _list(text)] if key == "save_steps" else int(text)
        return found

    try:
        base = values("")
        per_mode = {mode: values(mode.name.lower() + ".") for mode in ModeKeys}
    except ValueError as error:
        raise ValidationError(f"Debugger save parameters must be whole numbers ({error}).") from None
    if not base and not any(per_mode.values()):
        return None
    return SaveConfig(mode_save_configs={m: SaveConfigMode(**{**base, **v}) for m, v in per_mode.items() if v}, **base)


def _reduction_config(parameters: Mapping[str, str]) -> ReductionConfig | None:
    if not any(k in parameters for k in ("reductions", "save_raw_tensor", "save_shape")):
        return None
    return ReductionConfig.from_string(parameters.get("reductions", ""), _flag(parameters, "save_raw_tensor")
                                       or "reductions" not in parameters, _flag(parameters, "save_shape"))


def hook_arguments(config: Mapping[str, Any]) -> dict[str, Any]:
    """Hook keyword arguments from a debughookconfig.json dict."""
    parameters = {k: str(v) for k, v in (config.get("HookParameters") or {}).items()}
    out_dir = config.get("LocalPath") or str(Path(os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml")) / "output" / "tensors")
    collections = []
    for item in config.get("CollectionConfigurations") or []:
        name = item.get("CollectionName")
        if not name:
            raise ValidationError("Each CollectionConfigurations entry needs a CollectionName.")
        own = {k: str(v) for k, v in (item.get("CollectionParameters") or {}).items()}
        collections.append(Collection(name, BUILTIN_COLLECTIONS.get(name, []) + _list(own.get("include_regex")),
                                      save_config=_save_config(own), reduction_config=_reduction_config(own)))
    return {"out_dir": out_dir, "save_config": _save_config(parameters),
            "tensorboard_dir": tensorboard_dir(parameters), "export_tensorboard": _flag(parameters, "export_tensorboard"),
            "reduction_config": _reduction_config(parameters),
            "include_regex": _list(parameters.get("include_regex")), "save_all": _flag(parameters, "save_all"),
            "dry_run": _flag(parameters, "dry_run"), "include_workers": parameters.get("include_workers", "one"),
            "collections": collections}
