"""The model registry's tables: model package groups and their versioned model packages —
their schema and every read and write of them.

A group keeps the last version it gave out, so a version number is never given twice (not
even after a version is deleted) and two registrations at once get two numbers: the
number is taken and the package written in one write transaction."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from ..errors import ConflictError, NotFoundError
from ..store import MetadataStore, execute_statements, register_migrations

__all__ = ["group_row", "group_rows", "group_names", "insert_group", "delete_group", "insert_package", "package_row",
           "package_rows", "update_package", "delete_package", "PACKAGE_JSON_COLUMNS"]

# Columns that hold JSON documents.
PACKAGE_JSON_COLUMNS = ("inference_specification", "containers", "model_metrics", "customer_metadata")


def group_row(store: MetadataStore, name: str) -> sqlite3.Row | None:
    """Group `name`'s row (names compare without case, as their ARNs do), with its package count; or None."""
    rows = store.query("SELECT g.*, (SELECT COUNT(*) FROM model_packages p WHERE p.group_name = g.name) AS packages"
                       " FROM model_package_groups g WHERE lower(g.name) = lower(?)", (name,))
    return rows[0] if rows else None


def group_rows(store: MetadataStore) -> list[sqlite3.Row]:
    """Every group's row with its package count, newest first."""
    return store.query("SELECT g.*, (SELECT COUNT(*) FROM model_packages p WHERE p.group_name = g.name) AS packages"
                       " FROM model_package_groups g ORDER BY g.created_at DESC, g.name")


def group_names(store: MetadataStore, limit: int = 20) -> list[str]:
    """The names of the newest `limit` groups."""
    rows = store.query("SELECT name FROM model_package_groups ORDER BY created_at DESC LIMIT ?", (limit,))
    return [r["name"] for r in rows]


def insert_group(store: MetadataStore, name: str, arn: str, description: str | None, tags: dict[str, str],
                 exist_ok: bool = False) -> bool:
    """Record a new group; whether it was made. ConflictError if one of that name (in any
    case) exists, unless `exist_ok`."""
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM model_package_groups WHERE lower(name) = lower(?)", (name,)).fetchone():
            if exist_ok:
                return False
            raise ConflictError(f"Model package group {name} already exists; register versions into it, or "
                                "choose another name.")
        db.execute("INSERT INTO model_package_groups (name, arn, description, tags, created_at)"
                   " VALUES (?, ?, ?, ?, ?)", (name, arn, description, json.dumps(tags), time.time()))
    return True


def delete_group(store: MetadataStore, name: str) -> None:
    """Remove group `name`; ConflictError while it holds versions."""
    with store.transaction() as db:
        count = db.execute("SELECT COUNT(*) FROM model_packages WHERE group_name = ?", (name,)).fetchone()[0]
        if count:
            raise ConflictError(f"Model package group {name} holds {count} version(s); delete them first "
                                "(delete_model_package) and then the group.")
        db.execute("DELETE FROM model_package_groups WHERE name = ?", (name,))


def insert_package(store: MetadataStore, group: str, arn_of: Callable[[int], str], fields: dict[str, Any]) -> int:
    """Record the next version of `group` (`arn_of(version)` its ARN) with `fields`
    (columns; JSON ones as Python values); its version. NotFoundError if the group is gone."""
    now = time.time()
    values = {k: json.dumps(v) if k in PACKAGE_JSON_COLUMNS and v is not None else v for k, v in fields.items()}
    with store.transaction() as db:
        row = db.execute("SELECT last_version FROM model_package_groups WHERE name = ?", (group,)).fetchone()
        if row is None:
            raise NotFoundError(f"Model package group {group} does not exist; create it first.")
        version = int(row["last_version"]) + 1
        db.execute("UPDATE model_package_groups SET last_version = ? WHERE name = ?", (version, group))
        values.update(group_name=group, version=version, arn=arn_of(version), created_at=now, last_modified=now)
        db.execute(f"INSERT INTO model_packages ({', '.join(values)}) VALUES ({', '.join('?' for _ in values)})",
                   list(values.values()))
    return version


def package_row(store: MetadataStore, group: str, version: int) -> sqlite3.Row | None:
    """Version `version` of `group` (any case), or None."""
    rows = store.query("SELECT * FROM model_packages WHERE lower(group_name) = lower(?) AND version = ?",
                       (group, version))
    return rows[0] if rows else None


def package_rows(store: MetadataStore, group: str | None = None, approval_status: str | None = None) -> list[sqlite3.Row]:
    """Versions of `group` (of every group for None), with `approval_status` if given, newest first."""
    clauses, params = [], []
    if group is not None:
        clauses.append("lower(group_name) = lower(?)")
        params.append(group)
    if approval_status is not None:
        clauses.append("approval_status = ?")
        params.append(approval_status)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return store.query(f"SELECT * FROM model_packages{where} ORDER BY created_at DESC, version DESC", params)


def update_package(store: MetadataStore, group: str, version: int, **fields: Any) -> None:
    """Update columns of a version (JSON ones as Python values); last_modified becomes now."""
    values = {k: json.dumps(v) if k in PACKAGE_JSON_COLUMNS and v is not None else v for k, v in fields.items()}
    values["last_modified"] = time.time()
    with store.transaction() as db:
        db.execute(f"UPDATE model_packages SET {', '.join(f'{k} = ?' for k in values)}"
                   " WHERE group_name = ? AND version = ?", [*values.values(), group, version])


def delete_package(store: MetadataStore, group: str, version: int) -> None:
    """Remove a version (its number is not given again)."""
    with store.transaction() as db:
        db.execute("DELETE FROM model_packages WHERE group_name = ? AND version = ?", (group, version))


def _registry_tables(db: sqlite3.Connection) -> None:
    # A package is one version of a group: SageMaker's request fields as JSON documents
    # (inference_specification), and `containers`, what serving deploys (serving.Model's
    # containers()). `source_job` is the training job that made `model_data`.
    execute_statements(db, """
        CREATE TABLE model_package_groups (
            name TEXT PRIMARY KEY,
            arn TEXT NOT NULL,
            description TEXT,
            tags TEXT NOT NULL DEFAULT '{}',
            last_version INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL
        );
        CREATE UNIQUE INDEX model_package_groups_by_lower_name ON model_package_groups (lower(name));
        CREATE TABLE model_packages (
            group_name TEXT NOT NULL REFERENCES model_package_groups (name),
            version INTEGER NOT NULL,
            arn TEXT NOT NULL,
            status TEXT NOT NULL,
            approval_status TEXT NOT NULL,
            approval_description TEXT,
            description TEXT,
            inference_specification TEXT NOT NULL,
            containers TEXT NOT NULL,
            model_metrics TEXT,
            customer_metadata TEXT NOT NULL DEFAULT '{}',
            model_data TEXT,
            source_job TEXT,
            created_at REAL NOT NULL,
            last_modified REAL NOT NULL,
            PRIMARY KEY (group_name, version)
        )
    """)


# Migrations are code: entry i brings the registry tables from version i to i + 1.
register_migrations("registry", [_registry_tables])
