"""The local AWS endpoint's table: tags of resources, by ARN — its schema and every read and write of it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ..store import MetadataStore, execute_statements, register_migrations

__all__ = ["set_tags", "tags_of", "delete_tags"]


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


def _aws_tables(db: sqlite3.Connection) -> None:
    execute_statements(db, """
        CREATE TABLE aws_tags (
            arn TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (arn, key)
        )
    """)


# Migrations are code: entry i brings the aws tables from version i to i + 1.
register_migrations("aws", [_aws_tables])
