"""SageMaker's container contract, mapped onto a job folder instead of `/opt/ml`.

The job folder is laid out like `/opt/ml`; programs see the SM_* environment and get
hyperparameters as `--name value` arguments, as the sagemaker-training-toolkit gives them.
Where the system allows it, the program also sees that folder at `/opt/ml` itself
(`container_root`).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..store import copy_into

__all__ = [
    "CONTAINER_ROOT",
    "TRAINING_FOLDERS",
    "THREAD_VARIABLES",
    "encode_hyperparameters",
    "decode_hyperparameter",
    "hyperparameter_args",
    "base_environment",
    "training_environment",
    "resource_config",
    "map_container_path",
    "copy_input",
    "copy_code",
    "python_command",
]

CONTAINER_ROOT = "/opt/ml/"
TRAINING_FOLDERS = (
    "input/config", "input/data", "model", "output/data", "output/intermediate",
    "output/tensors", "code", "checkpoints",
)
THREAD_VARIABLES = (
    "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
MAX_HYPERPARAMETERS, MAX_HP_KEY, MAX_HP_VALUE = 100, 256, 2500
_CODE_IGNORE = shutil.ignore_patterns(".git", "__pycache__", ".ipynb_checkpoints", "*.pyc", ".venv")


def encode_hyperparameters(hyperparameters: Mapping[str, Any] | None) -> dict[str, str]:
    """JSON-encode every value, as the SageMaker SDK does (`3` → `"3"`, `"adam"` → `'"adam"'`)."""
    encoded: dict[str, str] = {}
    for key, value in (hyperparameters or {}).items():
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_HP_KEY:
            raise ValidationError(f"Hyperparameter name {key!r} must be a string of 1 to {MAX_HP_KEY} characters.")
        try:
            # A pipeline variable (a parameter, a step's property) stands as its expression until run.
            text = json.dumps(value, allow_nan=False, default=_pipeline_expression)
        except (TypeError, ValueError):
            raise ValidationError(
                f"Hyperparameter '{key}' = {value!r} ({type(value).__name__}) cannot be passed to "
                "the program: use a number, string, bool, or a list/dict of those."
            ) from None
        if len(text) > MAX_HP_VALUE:
            raise ValidationError(f"Hyperparameter '{key}' is {len(text)} characters; the limit is {MAX_HP_VALUE}.")
        encoded[key] = text
    if len(encoded) > MAX_HYPERPARAMETERS:
        raise ValidationError(f"{len(encoded)} hyperparameters given; a job takes at most {MAX_HYPERPARAMETERS}.")
    return encoded


def _pipeline_expression(value: Any) -> Any:
    expr = getattr(type(value), "expr", None)
    if not isinstance(expr, property):
        raise TypeError(type(value).__name__)
    return value.expr


def decode_hyperparameter(text: str) -> Any:
    """The toolkit's reading: JSON if it parses, else the raw string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def hyperparameter_args(decoded: Mapping[str, Any]) -> list[str]:
    """`--key value` arguments, keys sorted; one-letter keys get `-k`; dicts become `a=1,b=2`."""
    args: list[str] = []
    for key in sorted(decoded):
        value = decoded[key]
        if isinstance(value, dict):
            value = ",".join(f"{k}={v}" for k, v in value.items())
        args += [("-" if len(key) == 1 else "--") + key, str(value)]
    return args


def python_first_path() -> str:
    """PATH with this environment's Python first, so a script's bare `python`, `pip` and
    `jupyter-ext` are this environment's."""
    return os.pathsep.join(filter(None, [str(Path(sys.executable).parent), os.environ.get("PATH")]))


def base_environment(job_name: str, job_dir: Path, environment: Mapping[str, str] | None) -> dict[str, str]:
    """What every job's program sees: one thread per library, unbuffered Python, our hooks;
    this environment's Python first on PATH (a script's bare `python` and `pip` are ours),
    and a `pip install` in the job going into the job's own `packages` folder (on
    PYTHONPATH), never into this environment or the system's Python."""
    env = {name: "1" for name in THREAD_VARIABLES}
    packages = str(job_dir.absolute() / "packages")
    env.update(
        PATH=python_first_path(),
        PIP_TARGET=packages,
        PYTHONPATH=os.pathsep.join(filter(None, [packages, os.environ.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
        JUPYTER_EXT_JOB_NAME=job_name,
        JUPYTER_EXT_JOB_DIR=str(job_dir),
        JUPYTER_EXT_METRICS_FILE=str(job_dir / "metrics.jsonl"),
        SAGEMAKER_BASE_DIR=str(job_dir),
    )
    for key, value in (environment or {}).items():
        if not isinstance(key, str) or not isinstance(value, (str, int, float)):
            raise ValidationError(f"environment[{key!r}] must map a string to a string; got {value!r}.")
        env[key] = str(value)
    return env


def _hp_env_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def resource_config(current_host: str, hosts: Sequence[str], instance_type: str) -> dict[str, Any]:
    """resourceconfig.json (and SM_RESOURCE_CONFIG) of one host."""
    return {"current_host": current_host, "hosts": list(hosts), "network_interface_name": "eth0",
            "current_instance_type": instance_type}


def _training_env_json(job_name: str, d: Mapping[str, str], decoded: Mapping[str, Any],
                       data_config: Mapping[str, Any], channel_dirs: Mapping[str, str],
                       resource: Mapping[str, Any], entry_point: str) -> dict[str, Any]:
    """SM_TRAINING_ENV: the toolkit's whole environment as one dict."""
    return {
        "additional_framework_parameters": {}, "channel_input_dirs": dict(channel_dirs),
        "current_host": resource["current_host"], "current_instance_type": resource["current_instance_type"],
        "hosts": resource["hosts"], "hyperparameters": dict(decoded), "input_config_dir": d["input/config"],
        "input_data_config": dict(data_config), "input_dir": d["input"], "job_name": job_name,
        "log_level": 20, "model_dir": d["model"], "module_dir": d["code"],
        "module_name": Path(entry_point).stem, "network_interface_name": "eth0",
        "num_cpus": os.cpu_count() or 1, "num_gpus": 0, "num_neurons": 0,
        "output_data_dir": d["output/data"], "output_dir": d["output"],
        "output_intermediate_dir": d["output/intermediate"], "resource_config": dict(resource),
        "user_entry_point": entry_point,
    }


def training_environment(
    job_name: str, job_dir: Path, entry_point: str, decoded: Mapping[str, Any],
    data_config: Mapping[str, Any], instance_type: str, current_host: str = "algo-1",
    hosts: Sequence[str] = ("algo-1",),
) -> dict[str, str]:
    """The SM_* variables of a training job's `current_host`, paths pointing into `job_dir`
    (that host's folder)."""
    d = {name: str(job_dir / name) for name in ("model", "input", "input/config", "output",
                                                  "output/data", "output/intermediate", "code")}
    resource = resource_config(current_host, hosts, instance_type)
    channels = list(data_config)
    channel_dirs = {c: str(job_dir / "input/data" / c) for c in channels}
    module = Path(entry_point).stem
    training_env = _training_env_json(job_name, d, decoded, data_config, channel_dirs, resource, entry_point)
    env = {
        "SM_MODEL_DIR": d["model"], "SM_CHANNELS": json.dumps(sorted(channels)),
        "SM_HPS": json.dumps(dict(decoded)), "SM_USER_ARGS": json.dumps(hyperparameter_args(decoded)),
        "SM_CURRENT_HOST": current_host, "SM_HOSTS": json.dumps(list(hosts)), "SM_HOST_COUNT": str(len(hosts)),
        "SM_CURRENT_HOST_RANK": str(list(hosts).index(current_host)), "SM_NUM_CPUS": str(os.cpu_count() or 1), "SM_NUM_GPUS": "0",
        "SM_NUM_NEURONS": "0", "SM_LOG_LEVEL": "20", "SM_NETWORK_INTERFACE_NAME": "eth0",
        "SM_INPUT_DIR": d["input"], "SM_INPUT_CONFIG_DIR": d["input/config"],
        "SM_OUTPUT_DIR": d["output"], "SM_OUTPUT_DATA_DIR": d["output/data"],
        "SM_OUTPUT_INTERMEDIATE_DIR": d["output/intermediate"],
        "SM_OUTPUT_FAILURE": str(job_dir / "output/failure"),
        "SM_RESOURCE_CONFIG": json.dumps(resource), "SM_INPUT_DATA_CONFIG": json.dumps(data_config),
        "SM_TRAINING_ENV": json.dumps(training_env), "SM_MODULE_DIR": d["code"],
        "SM_MODULE_NAME": module, "SM_USER_ENTRY_POINT": entry_point, "SM_ENTRY_SCRIPT": entry_point,
        "SM_SOURCE_DIR": d["code"], "SM_FRAMEWORK_MODULE": "", "SM_FRAMEWORK_PARAMS": "{}",
        "SM_CURRENT_INSTANCE_TYPE": instance_type, "TRAINING_JOB_NAME": job_name,
        "SAGEMAKER_REGION": "local",
    }
    env.update({f"SM_CHANNEL_{c.upper()}": path for c, path in channel_dirs.items()})
    env.update({f"SM_HP_{k.upper()}": _hp_env_value(v) for k, v in decoded.items()})
    return env


def map_container_path(path: str, job_dir: Path) -> str:
    """`/opt/ml/...` rewritten into the job folder; any other text kept."""
    if path == CONTAINER_ROOT.rstrip("/") or path.startswith(CONTAINER_ROOT):
        return str(job_dir / path[len(CONTAINER_ROOT):])
    return path


def copy_input(source: Path, destination: Path, shard: tuple[int, int] | None = None) -> None:
    """Give a job its own copy of `source` (a folder's entries, or a file) in the folder
    `destination`, as SageMaker's File mode does: what the job writes there never reaches
    the user's files. The copy is a reflink where the filesystem can share blocks.

    `shard=(i, n)` copies only the i-th of n shares of the files (SageMaker's
    ShardedByS3Key: the files, in key order, dealt out to the hosts in turn).
    """
    destination.mkdir(parents=True, exist_ok=True)
    if shard is not None and source.is_dir():
        files = sorted(f for f in source.rglob("*") if f.is_file())
        for file in files[shard[0]::shard[1]]:
            target = destination / file.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            copy_into([file], target.parent)
        return
    entries = sorted(source.iterdir()) if source.is_dir() else [source]
    copy_into([entry for entry in entries if not (destination / entry.name).exists()], destination)


def copy_code(source_dir: Path | None, entry_point: Path, dependencies: list[Path], code_dir: Path) -> None:
    """Copy the program's code into `code_dir`, so later edits don't touch a running job."""
    code_dir.mkdir(parents=True, exist_ok=True)
    if source_dir is not None:
        shutil.copytree(source_dir, code_dir, dirs_exist_ok=True, ignore=_CODE_IGNORE)
    else:
        shutil.copy2(entry_point, code_dir / entry_point.name)
    for dependency in dependencies:
        target = code_dir / dependency.name
        if dependency.is_dir():
            shutil.copytree(dependency, target, dirs_exist_ok=True, ignore=_CODE_IGNORE)
        else:
            shutil.copy2(dependency, target)


def python_command(command: list[str]) -> list[str]:
    """`python`/`python3` as the first word means this environment's Python."""
    if command and command[0] in ("python", "python3", Path(sys.executable).name):
        return [sys.executable, *command[1:]]
    return list(command)
