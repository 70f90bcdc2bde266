"""A job's artifacts where JupyterLab can open them: a file a job wrote (a notebook, an HTML
report, `model.tar.gz`, captured data...) is copied to `<root>/jupyter_ext-outputs/<job>/`
under JupyterLab's root (jobs write under the jupyter_ext home, outside that root); a folder
is listed; an archive is copied and its members listed."""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from pathlib import Path

from ..errors import NotFoundError, ValidationError
from ..models import JobDescription, OpenArtifactResponse
from ..store import local_path
from .handle import describe_job

__all__ = ["OUTPUTS_FOLDER", "MAX_LISTED", "MAX_COPY_BYTES", "copy_under_root", "open_artifact", "open_job_artifact"]

#: The folder under JupyterLab's root that jobs' artifacts are copied into.
OUTPUTS_FOLDER = "jupyter_ext-outputs"
#: How many files of a folder or members of an archive are listed.
MAX_LISTED = 200
#: The largest file copied (a bigger one is named with its size instead).
MAX_COPY_BYTES = 512 * 1024 * 1024

_ARCHIVES = (".tar.gz", ".tgz", ".tar", ".zip")


def copy_under_root(source: Path, job: str, root: Path, relative: Path | None = None) -> str:
    """Copy `source` to `<root>/jupyter_ext-outputs/<job>/<relative or its name>` (again each
    time: a running job rewrites its files); answers that path relative to `root`."""
    target = Path(OUTPUTS_FOLDER) / job / (relative or Path(source.name))
    (root / target).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, root / target)
    return target.as_posix()


def _artifact_roots(job: JobDescription) -> list[Path]:
    uris = [job.job_dir, job.model_data, job.output_data, *[str(v) for v in job.outputs.values()]]
    paths = (local_path(uri) for uri in uris if uri)
    return [path for path in paths if path is not None]


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(_ARCHIVES):
        return "archive"
    return {".ipynb": "notebook", ".html": "html", ".htm": "html"}.get(path.suffix.lower(), "file")


def _members(path: Path) -> list[str]:
    try:
        if path.name.lower().endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                return archive.namelist()[:MAX_LISTED]
        with tarfile.open(path) as archive:
            return [member.name for _, member in zip(range(MAX_LISTED), archive)]
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as error:
        raise ValidationError(f"Cannot read the archive {path.name}: {error}") from None


def open_job_artifact(name: str, artifact: str, root: Path) -> OpenArtifactResponse:
    """Make artifact `artifact` (a path or file:// URI inside job `name`'s folder or outputs)
    openable in JupyterLab: a file is copied under `root`, a folder's files are listed
    (absolute paths, to open in turn), an archive is copied and its members listed.
    NotFoundError for an unknown job or a missing file; ValidationError for a path that is
    none of the job's artifacts or a remote URI."""
    return open_artifact(artifact, _artifact_roots(describe_job(name)), name, root,
                         f"is not an artifact of job {name}: open files of its folder or outputs.")


def open_artifact(artifact: str, owners: list[Path], folder: str, root: Path, refusal: str) -> OpenArtifactResponse:
    """Open `artifact` if it is one of `owners` or inside one: copied to
    `<root>/jupyter_ext-outputs/<folder>/...` (a file or an archive, with its members), or
    listed (a folder). Any other path is refused with "<artifact> <refusal>"."""
    path = local_path(artifact)
    if path is None:
        raise ValidationError(f"{artifact} is not on this machine; download it (e.g. `aws s3 cp`) to open it.")
    owner = next((top for top in owners if path == top or top in path.parents), None)
    if owner is None:
        raise ValidationError(f"{artifact} {refusal}")
    if not path.exists():
        raise NotFoundError(f"{artifact} does not exist (any more).")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())[:MAX_LISTED]
        return OpenArtifactResponse(None, "folder", [str(p) for p in files])
    size = path.stat().st_size
    if size > MAX_COPY_BYTES:
        raise ValidationError(f"{path.name} is {size // 2**20} MiB, too big to copy under JupyterLab's root; "
                              f"open it from {path}.")
    relative = path.relative_to(owner) if path != owner else Path(path.name)
    copied = copy_under_root(path, folder, root, relative)
    kind = _kind(path)
    return OpenArtifactResponse(copied, kind, _members(path) if kind == "archive" else [])
