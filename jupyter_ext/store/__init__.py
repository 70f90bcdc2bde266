"""The store: SQLite metadata and the artifact folder tree, shared by every process."""

from __future__ import annotations

from .artifacts import (
    ArtifactStore,
    FsspecArtifactStore,
    LocalArtifactStore,
    artifact_store_for,
    default_output_path,
    join_uri,
    local_path,
    register_artifact_store,
)
from .metadata import SCHEMA_VERSION, MetadataStore, execute_statements, get_store, home, register_migrations

__all__ = [
    "ArtifactStore",
    "FsspecArtifactStore",
    "LocalArtifactStore",
    "MetadataStore",
    "SCHEMA_VERSION",
    "artifact_store_for",
    "default_output_path",
    "execute_statements",
    "get_store",
    "home",
    "join_uri",
    "local_path",
    "register_artifact_store",
    "register_migrations",
]
