"""A training job's code, as the SDK hands it over: what the framework containers run.

- Script mode (SDK v2's estimators): `sagemaker_program` is the script inside the
  `sagemaker_submit_directory` tarball (`s3://.../source/sourcedir.tar.gz`, or a folder).
- A container entrypoint (`AlgorithmSpecification.ContainerEntrypoint`, as SDK v3's
  ModelTrainer sends): the command runs as given, `/opt/ml` paths inside the job folder.
"""

from __future__ import annotations

import shlex
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


def _entrypoint_script(folder: Path, algorithm: Mapping[str, Any]) -> str:
    command = [*algorithm["ContainerEntrypoint"], *(algorithm.get("ContainerArguments") or [])]
    folder.mkdir(parents=True, exist_ok=True)
    script = "#!/bin/sh\n# The container entrypoint of the request; /opt/ml is the job folder.\n"
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
                           "AlgorithmSpecification.ContainerEntrypoint. Built-in algorithms do not run here yet.")
        if submitted:
            _fetch(str(submitted), folder)
        if not (folder / str(program)).is_file():
            raise AwsError("ValidationException", f"sagemaker_program {program!r} is not in sagemaker_submit_directory "
                           f"{submitted or '(none given)'}.")
        yield folder, str(program)
