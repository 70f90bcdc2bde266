"""The store: SQLite metadata and the artifact folder tree, shared by every process."""

from __future__ import annotations

from .artifacts import (
    ArtifactStore,
    ARTIFACT_STORES,
    FsspecArtifactStore,
    LocalArtifactStore,
    absolute_uri,
    artifact_store_for,
    copy_into,
    default_output_path,
    join_uri,
    local_path,
    looked_for,
    register_artifact_store,
)
from .s3 import AWS_VARIABLE, S3ArtifactStore, local_s3_root, local_s3_uri, parse_s3_uri, s3_mode
from .metadata import (
    SCHEMA_VERSION, MetadataStore, execute_statements, get_store, home, out_of_space, parameter_chunks,
    register_migrations,
)

__all__ = [
    "ARTIFACT_STORES",
    "AWS_VARIABLE",
    "S3ArtifactStore",
    "copy_into",
    "local_s3_root",
    "local_s3_uri",
    "parse_s3_uri",
    "s3_mode",
    "ArtifactStore",
    "FsspecArtifactStore",
    "LocalArtifactStore",
    "MetadataStore",
    "out_of_space",
    "parameter_chunks",
    "SCHEMA_VERSION",
    "absolute_uri",
    "artifact_store_for",
    "default_output_path",
    "execute_statements",
    "get_store",
    "home",
    "join_uri",
    "local_path",
    "looked_for",
    "register_artifact_store",
    "register_migrations",
]
