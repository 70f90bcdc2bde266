"""The labeling tables: a labeling job's settings, its items (the input manifest's lines and
their final labels), the workers' answers and each worker's queue — their schema and every
read and write of them.

An item's final label is either consolidated from people's answers (human = 1) or given by
the automated labeling model (human = 0), with a confidence in [0, 1]. An answer taken back
with undo stays (undone = 1) so the worker sees it again as their previous answer.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import NotFoundError
from ..store import MetadataStore, execute_statements, register_migrations

__all__ = ["LABELING_STATES", "job_row", "job_names", "insert_job", "set_state", "item_rows", "item_row",
           "set_final", "clear_final", "answer_rows", "active_answers", "queue_position", "first_in_queue"]

LABELING_STATES = ("human", "training", "machine-labeling", "complete", "stopped")


def job_row(store: MetadataStore | sqlite3.Connection, name: str) -> sqlite3.Row:
    """Labeling job `name`'s row; NotFoundError if there is none."""
    rows = _query(store, "SELECT * FROM labeling_jobs WHERE name = ?", (name,))
    if not rows:
        raise NotFoundError(f"No labeling job {name}; list them with `jupyter-ext labeling list`.")
    return rows[0]


def job_names(store: MetadataStore, limit: int | None = None) -> list[str]:
    """Labeling jobs' names, newest first."""
    sql = "SELECT name FROM labeling_jobs ORDER BY created_at DESC, name"
    return [r["name"] for r in store.query(sql + (f" LIMIT {int(limit)}" if limit else ""))]


def insert_job(store: MetadataStore, fields: dict[str, Any], lines: Sequence[dict[str, Any]],
               queues: dict[str, list[int]]) -> None:
    """Record a new labeling job (`fields` are labeling_jobs' columns; JSON ones as Python
    values), its items (`lines`, the input manifest's) and each worker's queue of items."""
    values = {k: json.dumps(v) if k in ("categories", "workers", "settings") else v for k, v in fields.items()}
    values.setdefault("state", "human")
    values.setdefault("created_at", time.time())
    name = values["name"]
    with store.transaction() as db:
        db.execute("DELETE FROM labeling_jobs WHERE name = ?", (name,))  # a failed submit's leftover
        db.execute(f"INSERT INTO labeling_jobs ({', '.join(values)}) VALUES ({', '.join('?' for _ in values)})",
                   list(values.values()))
        db.executemany("INSERT INTO labeling_items (job_name, item, line) VALUES (?, ?, ?)",
                       [(name, i, json.dumps(line)) for i, line in enumerate(lines)])
        db.executemany("INSERT INTO labeling_queues (job_name, worker, item, position) VALUES (?, ?, ?, ?)",
                       [(name, worker, item, float(p)) for worker, items in queues.items()
                        for p, item in enumerate(items)])


def set_state(store: MetadataStore, name: str, state: str, only_from: Iterable[str] | None = None) -> bool:
    """Set the job's labeling state (one of LABELING_STATES); whether it changed."""
    with store.transaction() as db:
        row = db.execute("SELECT state FROM labeling_jobs WHERE name = ?", (name,)).fetchone()
        if row is None or (only_from is not None and row["state"] not in tuple(only_from)):
            return False
        db.execute("UPDATE labeling_jobs SET state = ? WHERE name = ?", (state, name))
    return True


def item_rows(store: MetadataStore | sqlite3.Connection, name: str, final: bool | None = None) -> list[sqlite3.Row]:
    """The job's items in manifest order: all, only final ones (True) or only the rest (False)."""
    where = "" if final is None else (" AND label IS NOT NULL" if final else " AND label IS NULL")
    return _query(store, f"SELECT * FROM labeling_items WHERE job_name = ?{where} ORDER BY item", (name,))


def item_row(db: MetadataStore | sqlite3.Connection, name: str, item: int) -> sqlite3.Row | None:
    """One item's row, or None when the manifest has no such line."""
    rows = _query(db, "SELECT * FROM labeling_items WHERE job_name = ? AND item = ?", (name, item))
    return rows[0] if rows else None


def set_final(db: sqlite3.Connection, name: str, item: int, label: dict[str, Any], confidence: float,
              human: bool) -> None:
    """Give the item its final label (inside the caller's transaction)."""
    db.execute("UPDATE labeling_items SET label = ?, confidence = ?, human = ?, labeled_at = ?"
               " WHERE job_name = ? AND item = ?", (json.dumps(label), confidence, int(human), time.time(), name, item))


def clear_final(db: sqlite3.Connection, name: str, item: int) -> None:
    """Take the item's final label back (an answer it was made from was undone)."""
    db.execute("UPDATE labeling_items SET label = NULL, confidence = NULL, human = NULL, labeled_at = NULL"
               " WHERE job_name = ? AND item = ?", (name, item))


def answer_rows(store: MetadataStore | sqlite3.Connection, name: str, item: int | None = None,
                worker: str | None = None, undone: bool = False) -> list[sqlite3.Row]:
    """Answers of the job (of one item, of one worker) in the order given; only undone ones
    with `undone`, else only standing ones."""
    sql, params = "SELECT * FROM labeling_answers WHERE job_name = ? AND undone = ?", [name, int(undone)]
    if item is not None:
        sql, params = sql + " AND item = ?", [*params, item]
    if worker is not None:
        sql, params = sql + " AND worker = ?", [*params, worker]
    return _query(store, sql + " ORDER BY id", params)


def active_answers(db: sqlite3.Connection, name: str, item: int) -> list[dict[str, Any]]:
    """The standing answers to one item, oldest first, as dicts."""
    return [json.loads(r["answer"]) for r in answer_rows(db, name, item)]


def queue_position(db: sqlite3.Connection, name: str, worker: str, item: int) -> float | None:
    """Where `item` is in `worker`'s queue, or None when it is not in it."""
    row = db.execute("SELECT position FROM labeling_queues WHERE job_name = ? AND worker = ? AND item = ?",
                     (name, worker, item)).fetchone()
    return None if row is None else float(row["position"])


def move_in_queue(db: sqlite3.Connection, name: str, worker: str, item: int, to_front: bool) -> None:
    """Put `item` at the back (skip) or the front (undo) of `worker`'s queue."""
    edge = "MIN(position) - 1" if to_front else "MAX(position) + 1"
    db.execute(f"UPDATE labeling_queues SET position = (SELECT {edge} FROM labeling_queues"
               " WHERE job_name = ? AND worker = ?) WHERE job_name = ? AND worker = ? AND item = ?",
               (name, worker, name, worker, item))


def first_in_queue(store: MetadataStore | sqlite3.Connection, name: str, worker: str) -> tuple[int | None, int, int]:
    """(the next item `worker` should label or None, items they answered, items left to them)."""
    left = _query(store, "SELECT q.item FROM labeling_queues q JOIN labeling_items i"
                  " ON i.job_name = q.job_name AND i.item = q.item"
                  " WHERE q.job_name = ? AND q.worker = ? AND i.label IS NULL AND NOT EXISTS"
                  " (SELECT 1 FROM labeling_answers a WHERE a.job_name = q.job_name AND a.item = q.item"
                  "  AND a.worker = q.worker AND a.undone = 0) ORDER BY q.position, q.item", (name, worker))
    done = _query(store, "SELECT COUNT(*) FROM labeling_answers WHERE job_name = ? AND worker = ? AND undone = 0",
                  (name, worker))[0][0]
    return (left[0]["item"] if left else None), int(done), len(left)


def save_answer(db: sqlite3.Connection, name: str, item: int, worker: str, answer: dict[str, Any]) -> None:
    """Record `worker`'s answer to `item`, replacing an earlier (or undone) one."""
    db.execute("DELETE FROM labeling_answers WHERE job_name = ? AND item = ? AND worker = ?", (name, item, worker))
    db.execute("INSERT INTO labeling_answers (job_name, item, worker, answer, answered_at, undone)"
               " VALUES (?, ?, ?, ?, ?, 0)", (name, item, worker, json.dumps(answer), time.time()))


def undo_answer(db: sqlite3.Connection, name: str, worker: str) -> sqlite3.Row | None:
    """Mark `worker`'s newest standing answer to an item not labeled by machine as undone; that row."""
    row = db.execute("SELECT a.* FROM labeling_answers a JOIN labeling_items i ON i.job_name = a.job_name"
                     " AND i.item = a.item WHERE a.job_name = ? AND a.worker = ? AND a.undone = 0"
                     " AND (i.human IS NULL OR i.human = 1) ORDER BY a.id DESC LIMIT 1", (name, worker)).fetchone()
    if row is not None:
        db.execute("UPDATE labeling_answers SET undone = 1 WHERE id = ?", (row["id"],))
    return row


def answers_per_worker(store: MetadataStore, name: str) -> dict[str, int]:
    """How many standing answers each worker gave."""
    rows = store.query("SELECT worker, COUNT(*) AS n FROM labeling_answers WHERE job_name = ? AND undone = 0"
                       " GROUP BY worker ORDER BY worker", (name,))
    return {r["worker"]: int(r["n"]) for r in rows}


def _query(store: MetadataStore | sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[sqlite3.Row]:
    if isinstance(store, sqlite3.Connection):
        return store.execute(sql, params).fetchall()
    return store.query(sql, params)


def _labeling_tables(db: sqlite3.Connection) -> None:
    execute_statements(db, """
        CREATE TABLE labeling_jobs (
            name TEXT PRIMARY KEY, task_type TEXT NOT NULL, label_attribute_name TEXT NOT NULL,
            categories TEXT NOT NULL, instructions TEXT NOT NULL, workers TEXT NOT NULL,
            annotations_per_item INTEGER NOT NULL, automated INTEGER NOT NULL, input_manifest TEXT NOT NULL,
            output_path TEXT NOT NULL, settings TEXT NOT NULL, state TEXT NOT NULL, created_at REAL NOT NULL);
        CREATE TABLE labeling_items (
            job_name TEXT NOT NULL REFERENCES labeling_jobs(name) ON DELETE CASCADE, item INTEGER NOT NULL,
            line TEXT NOT NULL, label TEXT, confidence REAL, human INTEGER, labeled_at REAL,
            PRIMARY KEY (job_name, item));
        CREATE TABLE labeling_answers (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            job_name TEXT NOT NULL REFERENCES labeling_jobs(name) ON DELETE CASCADE, item INTEGER NOT NULL,
            worker TEXT NOT NULL, answer TEXT NOT NULL, answered_at REAL NOT NULL, undone INTEGER NOT NULL);
        CREATE INDEX labeling_answers_by_item ON labeling_answers (job_name, item, worker);
        CREATE TABLE labeling_queues (
            job_name TEXT NOT NULL REFERENCES labeling_jobs(name) ON DELETE CASCADE, worker TEXT NOT NULL,
            item INTEGER NOT NULL, position REAL NOT NULL, PRIMARY KEY (job_name, worker, item))
    """)


register_migrations("labeling", [_labeling_tables])
