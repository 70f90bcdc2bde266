"""Metadata store: one SQLite database (WAL) under the jupyter_ext home.

The store owns the mechanism, not the tables: each capability registers its own chain
of migrations (`register_migrations("jobs", [...])`) from its records module, and the
store records each chain's version in `schema_versions`.

Kernels, job runners, the Jupyter server and the CLI all open the same file. Every write
runs in a `BEGIN IMMEDIATE` transaction with a long busy timeout, so several writers
queue up instead of failing with "database is locked", and no update is lost.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["MetadataStore", "home", "get_store", "register_migrations", "execute_statements", "parameter_chunks",
           "out_of_space", "SCHEMA_VERSION"]

BUSY_TIMEOUT_SECONDS = 60.0


def home() -> Path:
    """The jupyter_ext home: `$JUPYTER_EXT_HOME`, else `jupyter_ext` in Jupyter's data dir."""
    configured = os.environ.get("JUPYTER_EXT_HOME")
    if configured:
        return Path(configured).expanduser().resolve()
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "jupyter_ext"


Migration = Callable[[sqlite3.Connection], None]

# The store's own format, kept in PRAGMA user_version. Versions 1 to 6 were one list of
# migrations for every table; from 7 on, each capability's tables are a named chain whose
# version is a row of `schema_versions`.
SCHEMA_VERSION = 7

# What the single list of versions 1 to 6 ran, in order, as (chain, its version after).
_LEGACY_STEPS = (("jobs", 1), ("jobs", 2), ("experiments", 1), ("lifecycle", 1), ("serving", 1),
                 ("monitoring", 1))

_chains: dict[str, list[Migration]] = {}
_open_stores: weakref.WeakSet[MetadataStore] = weakref.WeakSet()
_registry_lock = threading.RLock()


def execute_statements(db: sqlite3.Connection, script: str) -> None:
    """Run the `;`-separated statements of `script` inside the caller's transaction."""
    # Statement by statement: executescript() would commit the open transaction.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def register_migrations(chain: str, migrations: list[Migration]) -> None:
    """Make `migrations` the schema of `chain` (a capability's tables): entry i brings the
    chain from version i to i + 1, inside the store's write transaction.

    Every store opened later runs the chain when it opens; stores already open in this
    process run it now, so no table of the chain is read before it exists. A name
    registered again takes the new list only if it starts with the old one (a reloaded
    module, perhaps with a migration added); ValueError if two capabilities claim one name.
    """
    with _registry_lock:
        known = [_qualified(m) for m in _chains.get(chain, [])]
        if known and known != [_qualified(m) for m in migrations][:len(known)]:
            raise ValueError(f"The migration chain {chain!r} is registered already, by "
                             f"{_chains[chain][0].__module__}; choose another chain name.")
        _chains[chain] = list(migrations)
        for store in list(_open_stores):
            store.migrate_chain(chain)


def _qualified(migration: Migration) -> str:
    return f"{migration.__module__}.{migration.__qualname__}"


def _legacy_chain_versions(user_version: int) -> dict[str, int]:
    """The chains' versions in a store the single list brought to `user_version` (1-6)."""
    return dict(_LEGACY_STEPS[:user_version])


def out_of_space(error: BaseException) -> bool:
    """Whether `error` says the disk is full (SQLite's SQLITE_FULL, or ENOSPC from a write)."""
    if isinstance(error, sqlite3.OperationalError):
        return "disk is full" in str(error)
    return isinstance(error, OSError) and error.errno == errno.ENOSPC


def parameter_chunks(values: Sequence[Any], size: int = 500) -> Iterator[tuple[list[Any], str]]:
    """`values` in chunks small enough for SQLite's limit of bound parameters, each with
    its `?, ?, ...` placeholders for an `IN (...)` clause."""
    for start in range(0, len(values), size):
        chunk = list(values[start:start + size])
        yield chunk, ", ".join("?" for _ in chunk)


class MetadataStore:
    """The SQLite metadata database at `path`, safe to share between processes.

    Use `transaction()` for writes and `query()` for reads; connections are per thread.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._migrate()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (autocommit; transactions are explicit)."""
        db = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
            db.row_factory = sqlite3.Row
            self._execute_when_unlocked(db, "PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db, self._local.pid = db, os.getpid()
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken with the write lock up front (no lost updates)."""
        db = self.connection()
        self._execute_when_unlocked(db, "BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Rows of a read-only statement."""
        return self.connection().execute(sql, params).fetchall()

    @staticmethod
    def _execute_when_unlocked(db: sqlite3.Connection, sql: str) -> None:
        # The busy timeout covers nearly every wait; this loop covers the rare
        # SQLITE_BUSY that WAL recovery (or a first switch to WAL by another
        # process) returns without calling the busy handler.
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                db.execute(sql)
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def migrate_chain(self, chain: str) -> None:
        """Bring the tables of registered chain `chain` up to date (a no-op when they are)."""
        with self.transaction() as db:
            self._run_chain(db, chain)

    def _migrate(self) -> None:
        with _registry_lock, self.transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise RuntimeError(
                    f"The store at {self.path} has schema version {version}, newer than this "
                    f"jupyter_ext ({SCHEMA_VERSION}); upgrade jupyter_ext to use it."
                )
            db.execute("CREATE TABLE IF NOT EXISTS schema_versions"
                       " (chain TEXT PRIMARY KEY, version INTEGER NOT NULL)")
            if version < SCHEMA_VERSION:
                db.executemany("INSERT OR REPLACE INTO schema_versions (chain, version) VALUES (?, ?)",
                               _legacy_chain_versions(version).items())
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            for chain in _chains:
                self._run_chain(db, chain)
            _open_stores.add(self)

    def _run_chain(self, db: sqlite3.Connection, chain: str) -> None:
        migrations = _chains[chain]
        row = db.execute("SELECT version FROM schema_versions WHERE chain = ?", (chain,)).fetchone()
        version = row[0] if row else 0
        if version > len(migrations):
            raise RuntimeError(
                f"The store at {self.path} has version {version} of the {chain} tables, newer than "
                f"this jupyter_ext ({len(migrations)}); upgrade jupyter_ext to use it."
            )
        if version < len(migrations):
            for migration in migrations[version:]:
                migration(db)
            db.execute("INSERT OR REPLACE INTO schema_versions (chain, version) VALUES (?, ?)",
                       (chain, len(migrations)))


_stores: dict[Path, MetadataStore] = {}
_stores_lock = threading.Lock()


def get_store() -> MetadataStore:
    """The metadata store of the current home (one object per home per process)."""
    path = home() / "metadata.sqlite"
    with _stores_lock:
        store = _stores.get(path)
        if store is None:
            store = _stores[path] = MetadataStore(path)
        return store
