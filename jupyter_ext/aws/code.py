"""A training job's code, as the SDK hands it over: what the framework containers run.

- Script mode (SDK v2's estimators): `sagemaker_program` is the script inside the
  `sagemaker_submit_directory` tarball (`s3://.../source/sourcedir.tar.gz`, or a folder).
- A container entrypoint (`AlgorithmSpecification.ContainerEntrypoint`, as SDK v3's
  ModelTrainer sends: `/bin/bash -c "... /opt/ml/input/data/sm_drivers/sm_train.sh"`,
  its driver scripts in the `sm_drivers` channel, the user's code in `code`): the command
  runs as given in a generated shell script, with `/opt/ml` the job folder, `python3`,
  `pip` and `torchrun` this machine's Python first on the PATH (`mpirun`, where Open MPI is
  missing, fails saying so), and pip installing into the job's folder.
  A command that reads /opt/ml inside a string fails with a clear reason where /opt/ml
  cannot be mapped.
"""

from __future__ import annotations

import shlex
import shutil
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..store import artifact_store_for
from .protocol import AwsError

__all__ = ["staged_code", "ENTRYPOINT_SCRIPT"]

ENTRYPOINT_SCRIPT = "container-entrypoint.sh"
SHIM_FOLDER = "container-bin"
PACKAGES_FOLDER = "container-packages"

# The container's Python is this machine's: `python3`/`pip` on the PATH run it, and what pip
# installs goes into the job's own folder (never into this environment), on the PYTHONPATH.
_PREAMBLE = """#!/bin/sh
# The request's container entrypoint, run here: /opt/ml is the job folder, python3, pip and
# torchrun on the PATH are this machine's Python, and pip installs into the job's code folder.
PATH="$SAGEMAKER_BASE_DIR/code/{shims}:$PATH"
PIP_TARGET="$SAGEMAKER_BASE_DIR/code/{packages}"
PYTHONPATH="$PIP_TARGET${{PYTHONPATH:+:$PYTHONPATH}}"
export PATH PIP_TARGET PYTHONPATH
"""
_OPT_ML_CHECK = """if ! [ /opt/ml -ef "$SAGEMAKER_BASE_DIR" ]; then
    reason="The container entrypoint reads /opt/ml itself (SDK v3's ModelTrainer drivers do), but /opt/ml is \\
not this job's folder here. Jobs see their folder at /opt/ml inside a private mount namespace: run them on \\
Linux with unprivileged user namespaces allowed, and leave JUPYTER_EXT_OPT_ML unset (the first lines of the \\
job's log say why /opt/ml was not mapped)."
    echo "$reason" >&2
    printf '%s\\n' "$reason" > "$SAGEMAKER_BASE_DIR/output/failure"
    exit 1
fi
"""


def _fetch(uri: str, folder: Path) -> None:
    """The submit directory `uri` (a .tar.gz or a folder) unpacked into `folder`."""
    download = folder.parent / "download"
    try:
        artifact_store_for(uri).download(uri, download)
    except Exception as error:  # a missing object, a bad bucket: say which URI
        raise AwsError("ValidationException", f"sagemaker_submit_directory {uri} cannot be read: {error}") from None
    archives = [p for p in download.rglob("*") if p.is_file() and p.name.endswith((".tar.gz", ".tgz"))]
    if uri.endswith((".tar.gz", ".tgz")) and archives:
        with tarfile.open(archives[0]) as archive:
            archive.extractall(folder, filter="data")
    else:
        download.rename(folder)


def _container_path(argument: str) -> str:
    if argument == "/opt/ml" or argument.startswith("/opt/ml/"):
        return '"${SAGEMAKER_BASE_DIR}"' + shlex.quote(argument[len("/opt/ml"):])
    if argument in ("python", "python3"):
        return shlex.quote(sys.executable)
    return shlex.quote(argument)


def _needs_opt_ml(command: list[str]) -> bool:
    """Whether the command reads /opt/ml where no rewriting reaches (inside a shell string,
    as SDK v3's `bash -c "... /opt/ml/input/data/sm_drivers/sm_train.sh"` does)."""
    return any("/opt/ml" in part and not part.startswith("/opt/ml") for part in command)


def _shims() -> dict[str, str]:
    """Each command's shell line: this machine's Python for `python3`, `pip` and `torchrun`;
    a clear failure for `mpirun` where Open MPI is not installed."""
    python = shlex.quote(sys.executable)
    lines = {"python": f'exec {python} "$@"', "python3": f'exec {python} "$@"',
             "pip": f'exec {python} -m pip "$@"', "pip3": f'exec {python} -m pip "$@"',
             "torchrun": f'exec {python} -m torch.distributed.run "$@"'}
    if shutil.which("mpirun") is None:
        lines["mpirun"] = ("echo 'mpirun is not installed here: jobs run on this machine, without a container. "
                           "Install Open MPI, or train with Torchrun() or no distributed config.' >&2; exit 127")
    return lines


def _write_shims(folder: Path) -> None:
    """The shims, in the folder the entrypoint script puts first on the PATH."""
    bin_folder = folder / SHIM_FOLDER
    bin_folder.mkdir(parents=True, exist_ok=True)
    for name, line in _shims().items():
        shim = bin_folder / name
        shim.write_text(f"#!/bin/sh\n{line}\n")
        shim.chmod(0o755)


def _entrypoint_script(folder: Path, algorithm: Mapping[str, Any]) -> str:
    command = [*algorithm["ContainerEntrypoint"], *(algorithm.get("ContainerArguments") or [])]
    folder.mkdir(parents=True, exist_ok=True)
    _write_shims(folder)
    script = _PREAMBLE.format(shims=SHIM_FOLDER, packages=PACKAGES_FOLDER)
    if _needs_opt_ml(command):
        script += _OPT_ML_CHECK
    script += "exec " + " ".join(_container_path(part) for part in command) + "\n"
    (folder / ENTRYPOINT_SCRIPT).write_text(script)
    return ENTRYPOINT_SCRIPT


@contextmanager
def staged_code(hyperparameters: Mapping[str, Any], algorithm: Mapping[str, Any]) -> Iterator[tuple[Path, str]]:
    """(source folder, entry point) of the job, in a folder that lasts until the job has its copy."""
    with tempfile.TemporaryDirectory(prefix="jupyter-ext-code-") as staging:
        folder = Path(staging) / "code"
        if algorithm.get("ContainerEntrypoint"):
            yield folder, _entrypoint_script(folder, algorithm)
            return
        program, submitted = hyperparameters.get("sagemaker_program"), hyperparameters.get("sagemaker_submit_directory")
        if not program:
            raise AwsError("ValidationException", "The job names no script: framework images run the "
                           "`sagemaker_program` hyperparameter's script (the SDK's entry_point), or "
                           "AlgorithmSpecification.ContainerEntrypoint. Of SageMaker's built-in algorithms, XGBoost "
                           "runs here: the sagemaker-xgboost image without a script.")
        if submitted:
            _fetch(str(submitted), folder)
        if not (folder / str(program)).is_file():
            raise AwsError("ValidationException", f"sagemaker_program {program!r} is not in sagemaker_submit_directory "
                           f"{submitted or '(none given)'}.")
        yield folder, str(program)
