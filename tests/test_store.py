"""The store: schema, several processes writing at once, artifact URIs."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from jupyter_ext.errors import ValidationError
from jupyter_ext.jobs import JobSpec, records
from jupyter_ext.store import (
    SCHEMA_VERSION, LocalArtifactStore, MetadataStore, artifact_store_for, get_store,
    local_path, register_artifact_store,
)


def test_store_lives_in_home_with_wal_and_schema_version(home: Path) -> None:
    store = get_store()
    assert store.path == home / "metadata.sqlite"
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    assert store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION


def test_newer_schema_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="upgrade jupyter_ext"):
        MetadataStore(path)


def _writer(home: str, worker: int, count: int) -> None:
    import os

    os.environ["JUPYTER_EXT_HOME"] = home
    store = get_store()
    for i in range(count):
        records.add_metrics(store, "shared", [(f"w{worker}", float(i), i, 0.0)])
        with store.transaction() as db:  # read-modify-write: lost if transactions overlapped
            step = db.execute("SELECT step FROM metrics WHERE name = 'counter'").fetchone()[0]
            db.execute("UPDATE metrics SET step = ? WHERE name = 'counter'", (step + 1,))


def test_several_processes_write_without_lost_updates_or_lock_errors(home: Path) -> None:
    store = get_store()
    records.insert_job(store, JobSpec(name="shared", job_type="Training", program=["true"]), str(home))
    records.add_metrics(store, "shared", [("counter", 0.0, 0, 0.0)])
    workers, count = 4, 150
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_writer, args=(str(home), w, count)) for w in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    counter = store.query("SELECT step FROM metrics WHERE name = 'counter'")[0][0]
    assert counter == workers * count
    assert store.query("SELECT COUNT(*) FROM metrics WHERE name LIKE 'w%'")[0][0] == workers * count


def test_plain_paths_and_file_uris_are_local(tmp_path: Path) -> None:
    assert local_path(str(tmp_path / "a")) == tmp_path / "a"
    assert local_path(f"file://{tmp_path}/a") == tmp_path / "a"
    assert local_path("s3://bucket/key") is None
    assert isinstance(artifact_store_for(f"file://{tmp_path}"), LocalArtifactStore)


def test_local_store_copies_folders_and_files(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "x.txt").write_text("x")
    store = artifact_store_for(str(tmp_path / "dest"))
    store.upload(source, f"file://{tmp_path}/dest")
    assert (tmp_path / "dest" / "sub" / "x.txt").read_text() == "x"
    store.download(str(tmp_path / "dest" / "sub" / "x.txt"), tmp_path / "down")
    assert (tmp_path / "down" / "x.txt").read_text() == "x"


def test_other_schemes_go_through_fsspec_and_the_registry(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("hello")
    store = artifact_store_for("memory://bucket/f.txt")
    store.upload(tmp_path / "f.txt", "memory://bucket/f.txt")
    assert store.exists("memory://bucket/f.txt")
    store.download("memory://bucket/f.txt", tmp_path / "back")
    assert (tmp_path / "back" / "f.txt").read_text() == "hello"

    class Refusing(LocalArtifactStore):
        def exists(self, uri: str) -> bool:
            raise ValidationError("refused")

    register_artifact_store("refuse", lambda scheme: Refusing())
    with pytest.raises(ValidationError):
        artifact_store_for("refuse://x").exists("refuse://x")
