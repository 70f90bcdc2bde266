"""The endpoints tables: endpoints (what each server process should serve) and their
variants' traffic figures — their schema and every read and write of them."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..errors import ConflictError, NotFoundError
from ..store import MetadataStore, execute_statements, register_migrations

__all__ = [
    "endpoint_row", "endpoint_rows", "endpoint_names", "endpoint_exists", "insert_endpoint", "set_endpoint_fields",
    "change_endpoint_config", "delete_endpoint_row", "variant_stats", "write_variant_stats",
]


def endpoint_row(store: MetadataStore, name: str) -> sqlite3.Row | None:
    """Endpoint `name`'s row, or None."""
    rows = store.query("SELECT * FROM endpoints WHERE name = ?", (name,))
    return rows[0] if rows else None


def endpoint_rows(store: MetadataStore) -> list[sqlite3.Row]:
    """Every endpoint's row, newest first."""
    return store.query("SELECT * FROM endpoints ORDER BY created_at DESC, name")


def endpoint_names(store: MetadataStore, limit: int = 20) -> list[str]:
    """The names of the newest `limit` endpoints."""
    return [r["name"] for r in store.query("SELECT name FROM endpoints ORDER BY created_at DESC LIMIT ?", (limit,))]


def endpoint_exists(store: MetadataStore, name: str) -> bool:
    """Whether an endpoint named `name` is recorded."""
    return bool(store.query("SELECT 1 FROM endpoints WHERE name = ?", (name,)))


def insert_endpoint(store: MetadataStore, name: str, host: str, port: int | None, endpoint_dir: str,
                    config: dict[str, Any]) -> None:
    """Record a new Creating endpoint; ConflictError if the name is taken."""
    now = time.time()
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM endpoints WHERE name = ?", (name,)).fetchone():
            raise ConflictError(f"Endpoint {name} already exists; delete it first or choose another name.")
        db.execute("INSERT INTO endpoints (name, status, host, port, endpoint_dir, config, created_at, last_modified)"
                   " VALUES (?, 'Creating', ?, ?, ?, ?, ?, ?)", (name, host, port, endpoint_dir, json.dumps(config),
                                                                  now, now))


def set_endpoint_fields(store: MetadataStore, name: str, **fields: Any) -> None:
    """Update columns of endpoint `name` (status, pid, port, ...); last_modified becomes now."""
    fields["last_modified"] = time.time()
    with store.transaction() as db:
        db.execute(f"UPDATE endpoints SET {', '.join(f'{k} = ?' for k in fields)} WHERE name = ?",
                   [*fields.values(), name])


def change_endpoint_config(store: MetadataStore, name: str, change: Callable[[dict[str, Any]], None]) -> int:
    """Apply `change` to an InService endpoint's config, mark it Updating and bump its
    config version, in one transaction; returns the new version. NotFoundError, or
    ConflictError when the endpoint is not InService; what `change` raises aborts it."""
    with store.transaction() as db:
        row = db.execute("SELECT * FROM endpoints WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFoundError(f"Endpoint {name!r} not found.")
        if row["status"] != "InService":
            raise ConflictError(f"Endpoint {name} is {row['status']}; it can be updated only when InService.")
        config = json.loads(row["config"])
        change(config)
        version = int(row["config_version"]) + 1
        db.execute("UPDATE endpoints SET config = ?, config_version = ?, status = 'Updating', failure_reason = NULL,"
                   " last_modified = ? WHERE name = ?", (json.dumps(config), version, time.time(), name))
    return version


def delete_endpoint_row(store: MetadataStore, name: str) -> None:
    """Remove endpoint `name` and its traffic figures."""
    with store.transaction() as db:
        db.execute("DELETE FROM endpoints WHERE name = ?", (name,))


def variant_stats(store: MetadataStore, name: str) -> dict[str, sqlite3.Row]:
    """Endpoint `name`'s traffic figures, by variant."""
    return {r["variant"]: r for r in store.query("SELECT * FROM endpoint_variant_stats WHERE endpoint = ?", (name,))}


def write_variant_stats(store: MetadataStore, name: str, stats: Iterable[Sequence[Any]]) -> None:
    """Replace figures of endpoint `name`: each item is (variant, invocations, errors_4xx,
    errors_5xx, latency_avg_ms, latency_p50_ms, latency_p99_ms, instances), `instances`
    the JSON list of its live instances. Nothing is written once the endpoint is deleted."""
    now = time.time()
    rows = [(name, *figures, now) for figures in stats]
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM endpoints WHERE name = ?", (name,)).fetchone():
            db.executemany(
                "INSERT OR REPLACE INTO endpoint_variant_stats (endpoint, variant, invocations, errors_4xx,"
                " errors_5xx, latency_avg_ms, latency_p50_ms, latency_p99_ms, instances, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _endpoints_tables(db: sqlite3.Connection) -> None:
    # An endpoint is a server process; `config` (variants, weights, data capture) is what
    # it should serve, `config_version` bumps on every update and the server copies it
    # to `applied_version` once it serves that config. Traffic figures per variant.
    execute_statements(db, """
        CREATE TABLE endpoints (
            name TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            failure_reason TEXT,
            host TEXT NOT NULL,
            port INTEGER,
            pid INTEGER,
            pid_started REAL,
            endpoint_dir TEXT NOT NULL,
            config TEXT NOT NULL,
            config_version INTEGER NOT NULL DEFAULT 1,
            applied_version INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            last_modified REAL NOT NULL
        );
        CREATE TABLE endpoint_variant_stats (
            endpoint TEXT NOT NULL REFERENCES endpoints (name) ON DELETE CASCADE,
            variant TEXT NOT NULL,
            invocations INTEGER NOT NULL DEFAULT 0,
            errors_4xx INTEGER NOT NULL DEFAULT 0,
            errors_5xx INTEGER NOT NULL DEFAULT 0,
            latency_avg_ms REAL,
            latency_p50_ms REAL,
            latency_p99_ms REAL,
            updated_at REAL NOT NULL,
            PRIMARY KEY (endpoint, variant)
        )
    """)


def _variant_instances(db: sqlite3.Connection) -> None:
    # Each variant runs instance processes: the live ones, as a JSON list of
    # {instance_name, pid, invocations, started_at}, written with the traffic figures.
    db.execute("ALTER TABLE endpoint_variant_stats ADD COLUMN instances TEXT")


# Migrations are code: entry i brings the endpoints tables from version i to i + 1.
register_migrations("serving", [_endpoints_tables, _variant_instances])
