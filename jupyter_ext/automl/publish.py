"""An AutoML job's artifacts copied under its `output_path`, as Autopilot lays them out.

With `AutoML(output_path="s3://bucket/prefix")` the job writes, below
`<output_path>/<job name>/`:

- `sagemaker-automl-candidates/notebooks/` the two generated notebooks (the Data
  Exploration notebook as soon as it exists, the Candidate Definition notebook at the end);
- `tuning/<candidate>/output/model.tar.gz` every scored candidate's model (the ensemble's
  at `output/ensemble.tar.gz`, the winner refitted on every row at `output/best-model.tar.gz`);
- `sagemaker-automl-candidates/code/sourcedir.tar.gz` the inference code every model is
  served with (`SAGEMAKER_PROGRAM` inference.py, as Autopilot's inference containers run).

The candidates' records then name those URIs; `artifacts.json` in the job folder keeps
the notebooks' (what DescribeAutoMLJob's `AutoMLJobArtifacts` answers).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..jobs.packaging import pack
from ..store import artifact_store_for, join_uri, local_path
from .leaderboard import ENSEMBLE

__all__ = ["ARTIFACTS_FILE", "CODE_KEY", "NOTEBOOK_PREFIX", "publish_notebook", "publish_models", "publish_code", "artifacts_of"]

ARTIFACTS_FILE = "artifacts.json"
NOTEBOOK_PREFIX = "sagemaker-automl-candidates/notebooks"
CODE_PREFIX = "sagemaker-automl-candidates/code"
CODE_KEY = "InferenceCodeLocation"
ARTIFACT_KEYS = {"SageMakerAutopilotDataExplorationNotebook.ipynb": "DataExplorationNotebookLocation",
                 "SageMakerAutopilotCandidateDefinitionNotebook.ipynb": "CandidateDefinitionNotebookLocation"}


def artifacts_of(folder: Path) -> dict[str, str]:
    """What the job in `folder` has published so far ({AutoMLJobArtifacts key: URI})."""
    path = folder / ARTIFACTS_FILE
    return json.loads(path.read_text()) if path.exists() else {}


def _record_artifact(folder: Path, key: str, uri: str) -> None:
    artifacts = {**artifacts_of(folder), key: uri}
    path = folder / ARTIFACTS_FILE
    path.with_suffix(".tmp").write_text(json.dumps(artifacts, indent=1))
    path.with_suffix(".tmp").replace(path)  # readers never see half a file


def _upload(source: Path, uri: str) -> str:
    return artifact_store_for(uri).upload(source, uri)


def publish_notebook(folder: Path, output_path: str, job_name: str, notebook: Path) -> str:
    """Copy one generated notebook under the job's output and record where it went."""
    uri = _upload(notebook, join_uri(output_path, job_name, NOTEBOOK_PREFIX, notebook.name))
    _record_artifact(folder, ARTIFACT_KEYS.get(notebook.name, notebook.stem), uri)
    return uri


def _model_uri(output_path: str, job_name: str, candidate: dict[str, Any], archive: Path) -> str:
    if candidate.get("Algorithm") == ENSEMBLE:
        return join_uri(output_path, job_name, "output", archive.name)
    return join_uri(output_path, job_name, "tuning", candidate["CandidateName"], "output", archive.name)


def publish_models(output_path: str, job_name: str, candidates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copy the scored candidates' models (and the winner's refit) under the job's output;
    returns the records naming the copies."""
    published = []
    for candidate in candidates:
        record, containers = dict(candidate), []
        for container in candidate.get("InferenceContainers") or []:
            archive = local_path(container["ModelDataUrl"])
            if archive is not None and archive.is_file():
                uri = _model_uri(output_path, job_name, record, archive)
                container = {**container, "ModelDataUrl": _upload(archive, uri)}
            containers.append(container)
        record["InferenceContainers"] = containers
        refit = local_path(record["RefitModelDataUrl"]) if record.get("RefitModelDataUrl") else None
        if refit is not None and refit.is_file():
            record["RefitModelDataUrl"] = _upload(refit, join_uri(output_path, job_name, "output", refit.name))
        published.append(record)
    return published


def publish_code(folder: Path, output_path: str, job_name: str) -> str:
    """The inference code packed as `sourcedir.tar.gz` under the job's output (recorded as
    `InferenceCodeLocation`); its URI."""
    from .inference_code import inference

    with tempfile.TemporaryDirectory() as scratch:
        code = Path(scratch) / "code"
        code.mkdir()
        shutil.copyfile(inference.__file__, code / Path(inference.__file__).name)
        archive = pack(code, Path(scratch) / "sourcedir.tar.gz")
        uri = _upload(archive, join_uri(output_path, job_name, CODE_PREFIX, archive.name))
    _record_artifact(folder, CODE_KEY, uri)
    return uri
