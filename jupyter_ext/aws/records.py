"""The local AWS endpoint's tables — their schema and every read and write of them: tags of
resources, by ARN; the hosting resources SageMaker's API defines before an endpoint
serves them (models, endpoint configs: their requests, resolved at CreateEndpoint), with
the config each endpoint was made from; and Model Monitor's job definitions (requests that
CreateMonitoringSchedule resolves into a jupyter_ext.monitor schedule).

Why here and not in serving: serving has no named models or endpoint configs (a
`serving.Model` lives in the caller's process; an endpoint's row holds its variants already
resolved into containers). SageMaker's Model and EndpointConfig are API documents that only
name what CreateEndpoint will serve, so they are kept as requests, as job_requests.py keeps a
job's, and the endpoint they become is an ordinary serving endpoint."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from typing import Any

from ..errors import ConflictError
from ..store import MetadataStore, execute_statements, register_migrations

__all__ = ["set_tags", "tags_of", "delete_tags", "delete_all_tags", "HOSTING_TABLES", "insert_request", "request_of",
           "requests_of", "delete_request", "set_endpoint_config_name"]

# SageMaker's resource kind → its table (each row: the request that made it).
HOSTING_TABLES = {"Model": "aws_models", "EndpointConfig": "aws_endpoint_configs", "Endpoint": "aws_endpoints",
                  "DataQualityJobDefinition": "aws_data_quality_job_definitions",
                  "ModelQualityJobDefinition": "aws_model_quality_job_definitions"}


def set_tags(store: MetadataStore, arn: str, tags: Iterable[tuple[str, str]]) -> None:
    """Add or replace tags of resource `arn`."""
    with store.transaction() as db:
        db.executemany("INSERT OR REPLACE INTO aws_tags (arn, key, value) VALUES (?, ?, ?)",
                       [(arn, key, value) for key, value in tags])


def tags_of(store: MetadataStore, arn: str) -> list[tuple[str, str]]:
    """Resource `arn`'s tags, by key."""
    rows = store.query("SELECT key, value FROM aws_tags WHERE arn = ? ORDER BY key", (arn,))
    return [(row["key"], row["value"]) for row in rows]


def delete_tags(store: MetadataStore, arn: str, keys: Iterable[str]) -> None:
    """Remove resource `arn`'s tags named in `keys`."""
    with store.transaction() as db:
        db.executemany("DELETE FROM aws_tags WHERE arn = ? AND key = ?", [(arn, key) for key in keys])


def delete_all_tags(store: MetadataStore, arn: str) -> None:
    """Remove every tag of resource `arn` (it is deleted)."""
    with store.transaction() as db:
        db.execute("DELETE FROM aws_tags WHERE arn = ?", (arn,))


def _table(kind: str) -> str:
    return HOSTING_TABLES[kind]  # a KeyError is our bug: kinds are ours, never the caller's


def insert_request(store: MetadataStore, kind: str, name: str, request: dict[str, Any]) -> float:
    """Record the request that made resource `name` of `kind` (Model, EndpointConfig,
    Endpoint); its creation time. ConflictError if one of that name exists."""
    now = time.time()
    with store.transaction() as db:
        if db.execute(f"SELECT 1 FROM {_table(kind)} WHERE name = ?", (name,)).fetchone():
            raise ConflictError(f"Cannot create already existing {kind.lower()} {name!r}; delete it first "
                                "or choose another name.")
        db.execute(f"INSERT INTO {_table(kind)} (name, request, created_at) VALUES (?, ?, ?)",
                   (name, json.dumps(request), now))
    return now


def request_of(store: MetadataStore, kind: str, name: str) -> tuple[dict[str, Any], float] | None:
    """(request, creation time) of resource `name` of `kind`, or None."""
    rows = store.query(f"SELECT request, created_at FROM {_table(kind)} WHERE name = ?", (name,))
    return (json.loads(rows[0]["request"]), rows[0]["created_at"]) if rows else None


def requests_of(store: MetadataStore, kind: str) -> list[tuple[str, dict[str, Any], float]]:
    """(name, request, creation time) of every resource of `kind`, newest first."""
    rows = store.query(f"SELECT name, request, created_at FROM {_table(kind)} ORDER BY created_at DESC, name")
    return [(row["name"], json.loads(row["request"]), row["created_at"]) for row in rows]


def delete_request(store: MetadataStore, kind: str, name: str) -> bool:
    """Forget resource `name` of `kind`; whether there was one."""
    with store.transaction() as db:
        return db.execute(f"DELETE FROM {_table(kind)} WHERE name = ?", (name,)).rowcount > 0


def set_endpoint_config_name(store: MetadataStore, name: str, config_name: str) -> None:
    """Endpoint `name` now serves endpoint config `config_name` (UpdateEndpoint; an endpoint
    made in Python gets its row here)."""
    with store.transaction() as db:
        row = db.execute("SELECT request, created_at FROM aws_endpoints WHERE name = ?", (name,)).fetchone()
        request = {**(json.loads(row["request"]) if row else {"EndpointName": name}), "EndpointConfigName": config_name}
        db.execute("INSERT OR REPLACE INTO aws_endpoints (name, request, created_at) VALUES (?, ?, ?)",
                   (name, json.dumps(request), row["created_at"] if row else time.time()))


def _hosting_tables(db: sqlite3.Connection) -> None:
    # The request (JSON) of each CreateModel, CreateEndpointConfig and CreateEndpoint; an
    # endpoint's own state is serving's (its endpoints table).
    execute_statements(db, """
        CREATE TABLE aws_models (name TEXT PRIMARY KEY, request TEXT NOT NULL, created_at REAL NOT NULL);
        CREATE TABLE aws_endpoint_configs (name TEXT PRIMARY KEY, request TEXT NOT NULL, created_at REAL NOT NULL);
        CREATE TABLE aws_endpoints (name TEXT PRIMARY KEY, request TEXT NOT NULL, created_at REAL NOT NULL)
    """)


def _aws_tables(db: sqlite3.Connection) -> None:
    execute_statements(db, """
        CREATE TABLE aws_tags (
            arn TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (arn, key)
        )
    """)


def _monitoring_definition_tables(db: sqlite3.Connection) -> None:
    # The request (JSON) of each CreateDataQualityJobDefinition and CreateModelQualityJobDefinition.
    execute_statements(db, """
        CREATE TABLE aws_data_quality_job_definitions (name TEXT PRIMARY KEY, request TEXT NOT NULL,
                                                       created_at REAL NOT NULL);
        CREATE TABLE aws_model_quality_job_definitions (name TEXT PRIMARY KEY, request TEXT NOT NULL,
                                                        created_at REAL NOT NULL)
    """)


# Migrations are code: entry i brings the aws tables from version i to i + 1.
register_migrations("aws", [_aws_tables, _hosting_tables, _monitoring_definition_tables])
