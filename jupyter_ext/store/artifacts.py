"""Artifact store: where job inputs come from and outputs go, by URI scheme.

Plain paths and `file://` URIs are local folders (the default, under the jupyter_ext home).
`s3://` URIs go to the local S3 folder, or to real S3 (see `jupyter_ext.store.s3`). Other
schemes (`gs://`, `memory://`, ...) go through fsspec when it is installed;
`register_artifact_store()` adds or replaces the store of a scheme.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

from ..errors import ValidationError
from ..plugins import Registry
from .metadata import home

__all__ = [
    "ArtifactStore",
    "LocalArtifactStore",
    "FsspecArtifactStore",
    "register_artifact_store",
    "artifact_store_for",
    "default_output_path",
    "local_path",
    "absolute_uri",
    "looked_for",
    "join_uri",
    "copy_into",
    "ARTIFACT_STORES",
]


class ArtifactStore(ABC):
    """Copies files and folders to and from URIs of one scheme."""

    @abstractmethod
    def upload(self, source: Path, uri: str) -> str:
        """Copy a local file or folder to `uri` (a folder's contents go under it); return `uri`."""

    @abstractmethod
    def download(self, uri: str, destination: Path) -> Path:
        """Copy `uri` (file or folder) into the local folder `destination`; return it."""

    @abstractmethod
    def exists(self, uri: str) -> bool:
        """Whether anything is stored at `uri`."""

    def path_on_disk(self, uri: str) -> Path | None:
        """The local file or folder that holds `uri` when this store keeps it on this
        machine's disk (it may not exist yet), so it can be read and written in place; else None."""
        return None

    def fetch(self, uri: str, scratch: Path) -> Path:
        """A local file or folder holding what `uri` names: the store's own where it is on
        this disk (`path_on_disk`), else a copy downloaded into the folder `scratch`."""
        on_disk = self.path_on_disk(uri)
        if on_disk is not None:
            return on_disk
        self.download(uri, scratch)
        name = uri.rstrip("/").rsplit("/", 1)[-1]
        entries = list(scratch.iterdir())
        single = len(entries) == 1 and entries[0].name == name and entries[0].is_file()
        return entries[0] if single and not uri.endswith("/") else scratch


def local_path(uri: str) -> Path | None:
    """The local path a plain path or `file://` URI names; None for other schemes."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme == "" or len(parsed.scheme) == 1:  # a plain or Windows-drive path
        return Path(uri).expanduser().resolve()
    return None


def absolute_uri(uri: str) -> str:
    """`uri` with a plain local path made absolute (for a process that runs elsewhere);
    `file://` and other URIs as they are."""
    path = local_path(uri)
    return str(path) if path is not None and "://" not in uri else uri


def looked_for(uri: str) -> str:
    """" (looked for PATH)" when `uri` names a local path other than its own text, else "":
    the tail of a "does not exist" error, so a user sees where a relative path led."""
    path = local_path(uri)
    return f" (looked for {path})" if path is not None and str(path) != uri else ""


def join_uri(base: str, *parts: str) -> str:
    """`base` with path parts appended, for paths and URIs alike."""
    return "/".join([base.rstrip("/"), *(p.strip("/") for p in parts)])


def copy_into(entries: Sequence[Path], folder: Path) -> None:
    """Copy files and folders into `folder` (made if missing), merging into folders and
    replacing files of the same name. Copies are reflinks where the filesystem can share
    blocks (so a large dataset costs no time or space until written)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not entries:
        return
    cp = shutil.which("cp")
    if cp is not None and sys.platform.startswith("linux"):
        subprocess.run([cp, "-R", "-L", "-p", "--reflink=auto", "--", *map(str, entries), str(folder)],
                       check=True, capture_output=True)
        return
    for entry in entries:
        if entry.is_dir():
            shutil.copytree(entry, folder / entry.name, dirs_exist_ok=True)
        else:
            shutil.copy2(entry, folder / entry.name)


class LocalArtifactStore(ArtifactStore):
    """Plain paths and `file://` URIs."""

    def upload(self, source: Path, uri: str) -> str:
        target = self._path(uri)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True, symlinks=False)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        return uri

    def download(self, uri: str, destination: Path) -> Path:
        source = self._path(uri)
        destination.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, dirs_exist_ok=True)
        else:
            shutil.copy2(source, destination / source.name)
        return destination

    def exists(self, uri: str) -> bool:
        return self._path(uri).exists()

    def path_on_disk(self, uri: str) -> Path | None:
        return self._path(uri)

    @staticmethod
    def _path(uri: str) -> Path:
        path = local_path(uri)
        assert path is not None, uri
        return path


class FsspecArtifactStore(ArtifactStore):
    """Any scheme fsspec knows (`s3://`, `gs://`, `memory://`, ...)."""

    def __init__(self, protocol: str) -> None:
        try:
            import fsspec
        except ImportError as error:
            raise ValidationError(
                f"'{protocol}://' URIs need fsspec and its {protocol} driver: pip install fsspec"
            ) from error
        self.fs = fsspec.filesystem(protocol)

    def upload(self, source: Path, uri: str) -> str:
        self.fs.put(str(source), uri, recursive=source.is_dir())
        return uri

    def download(self, uri: str, destination: Path) -> Path:
        destination.mkdir(parents=True, exist_ok=True)
        if self.fs.isdir(uri):
            self.fs.get(uri.rstrip("/") + "/", str(destination) + "/", recursive=True)
        else:
            self.fs.get(uri, str(destination / uri.rstrip("/").rsplit("/", 1)[-1]))
        return destination

    def exists(self, uri: str) -> bool:
        return bool(self.fs.exists(uri))


def _local_store(scheme: str) -> ArtifactStore:
    return LocalArtifactStore()


ARTIFACT_STORES: Registry[Callable[[str], ArtifactStore]] = Registry(
    "artifact store", "jupyter_ext.artifact_stores",
    {"": _local_store, "file": _local_store, "s3": "jupyter_ext.store.s3:S3ArtifactStore"})
"""Artifact store factories by URI scheme: `factory(scheme)` gives the store (fsspec for schemes not here)."""


def register_artifact_store(scheme: str, factory: Callable[[str], ArtifactStore]) -> None:
    """Use `factory(scheme)` for URIs of `scheme` (replaces any earlier one)."""
    ARTIFACT_STORES.register(scheme, factory)


def artifact_store_for(uri: str) -> ArtifactStore:
    """The artifact store that handles `uri`."""
    scheme = "" if local_path(uri) is not None and "://" not in uri else urlparse(uri).scheme
    return ARTIFACT_STORES.get(scheme)(scheme) if scheme in ARTIFACT_STORES else FsspecArtifactStore(scheme)


def default_output_path() -> str:
    """Where job artifacts go when no output_path is given: `<home>/artifacts`."""
    return str(home() / "artifacts")
