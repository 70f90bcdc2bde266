"""The store: schema, several processes writing at once, artifact URIs."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import time
import weakref
from pathlib import Path

import pytest

from jupyter_ext.errors import ValidationError
from jupyter_ext.jobs import JobSpec, describe_job, records
from jupyter_ext.store import (
    SCHEMA_VERSION, LocalArtifactStore, MetadataStore, artifact_store_for, get_store,
    local_path, register_artifact_store, register_migrations,
)
from jupyter_ext.store import metadata

from legacy_store import create_legacy_store


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


def test_a_newer_version_of_one_chain_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    MetadataStore(path)
    sqlite3.connect(path, isolation_level=None).execute("UPDATE schema_versions SET version = 99 WHERE chain = 'jobs'")
    with pytest.raises(RuntimeError, match="version 99 of the jobs tables.*upgrade jupyter_ext"):
        MetadataStore(path)


def test_a_chain_registered_after_the_store_opened_is_migrated_at_once(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metadata, "_chains", dict(metadata._chains))  # the registry stays as it was after
    store = get_store()
    # Only this test's store takes the test's chain (not stores other tests left open).
    monkeypatch.setattr(metadata, "_open_stores", weakref.WeakSet([store]))

    def notes(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE plugin_notes (text TEXT)")

    def dated_notes(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE plugin_notes ADD COLUMN at REAL")

    register_migrations("plugin", [notes])
    with store.transaction() as db:
        db.execute("INSERT INTO plugin_notes VALUES ('kept')")
    register_migrations("plugin", [notes, dated_notes])
    assert store.query("SELECT text, at FROM plugin_notes")[0][:] == ("kept", None)
    assert dict(store.query("SELECT chain, version FROM schema_versions"))["plugin"] == 2
    with pytest.raises(ValueError, match="registered already"):
        register_migrations("jobs", [notes])


def _fill_legacy_store(db: sqlite3.Connection) -> None:
    """One row in each table of the version-6 schema."""
    now = time.time() - 3600
    spec = JobSpec(name="old-job", job_type="Training", program=["true"],
                   record={"inputs": {"train": "/data/train.csv"}}).to_json()
    config = {"variants": [{"variant_name": "AllTraffic", "model_name": "m", "weight": 1.0, "instance_count": 1,
                            "containers": [{"model_data": "/models/model.tar.gz"}]}],
              "data_capture": None, "requested_port": None}
    rows = {
        "jobs (name, job_type, status, created_at, ended_at, last_modified, executor, job_dir, spec, model_data,"
        " parent)": ("old-job", "Training", "Completed", now, now + 5, now + 5, "local", "/jobs/old-job", spec,
                     "/models/model.tar.gz", None),
        "job_transitions (job_name, status, start_time, end_time, message)": ("old-job", "Training", now, now + 5, ""),
        "metrics (job_name, name, value, step, timestamp)": ("old-job", "loss", 0.25, 0, now),
        "experiments (name, created_at)": ("churn", now),
        "runs (name, experiment, display_name, status, created_at)": ("churn-baseline", "churn", "baseline",
                                                                       "Completed", now),
        "run_parameters (run, name, value)": ("churn-baseline", "C", "1.0"),
        "run_metrics (run, name, value, step, timestamp)": ("churn-baseline", "auc", 0.9, 0, now),
        "run_artifacts (run, name, value, media_type, is_output)": ("churn-baseline", "data", "/d.csv", None, 0),
        "lifecycle_configs (name, on_create, created_at, last_modified)": ("setup", "echo hi", now, now),
        "lifecycle_settings (key, value)": ("time_limit", "120"),
        "lifecycle_runs (hook, source, trigger, status, exit_code, started_at, ended_at, log_path)": (
            "on-create", "config:setup", "manual", "Completed", 0, now, now + 1, "/logs/1-on-create.log"),
        "endpoints (name, status, host, endpoint_dir, config, created_at, last_modified)": (
            "old-endpoint", "Failed", "127.0.0.1", "/endpoints/old-endpoint", json.dumps(config), now, now),
        "endpoint_variant_stats (endpoint, variant, invocations, updated_at)": ("old-endpoint", "AllTraffic", 7, now),
        "monitoring_schedules VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)": (
            "hourly-check", "old-endpoint", "DataQuality", "cron(0 * ? * * *)", "Stopped", "{}", now, now, now),
        "monitoring_executions VALUES (?, ?, ?, ?, ?, ?)": ("old-job", "hourly-check", "old-endpoint", "DataQuality",
                                                            now, "/reports/old-job"),
    }
    for table, values in rows.items():
        marks = "" if "VALUES" in table else f" VALUES ({', '.join('?' for _ in values)})"
        db.execute(f"INSERT INTO {table}{marks}", values)


def test_a_store_made_before_migration_chains_opens_keeps_its_rows_and_takes_writes(home: Path) -> None:
    import jupyter_ext.aws.records  # noqa: F401 - its chain too, whichever tests ran before
    import jupyter_ext.registry.records  # noqa: F401 - and the model registry's
    import jupyter_ext.pipelines.records  # noqa: F401 - and the pipelines'
    import jupyter_ext.labeling.records  # noqa: F401 - and the labeling jobs'
    from jupyter_ext.experiments import Run, lineage, list_experiments
    from jupyter_ext.experiments.queries import describe_run
    from jupyter_ext.lifecycle import create_lifecycle_config, lifecycle_settings, list_lifecycle_runs
    from jupyter_ext.monitor import describe_schedule, set_schedule_status
    from jupyter_ext.serving import delete_endpoint, describe_endpoint

    legacy = create_legacy_store(home / "metadata.sqlite", version=6)
    _fill_legacy_store(legacy)
    tables = [r[0] for r in legacy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    counts = {t: legacy.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    legacy.close()
    assert len(tables) == 15 and set(counts.values()) == {1}

    store = get_store()
    assert store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION
    assert dict(store.query("SELECT chain, version FROM schema_versions")) == {
        "jobs": 4, "experiments": 2, "lifecycle": 1, "serving": 2, "monitoring": 2, "aws": 3, "registry": 1,
        "pipelines": 1, "labeling": 1}
    assert {t: store.query(f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables} == counts

    job = describe_job("old-job")
    assert (job.status, job.final_metrics, job.model_data) == ("Completed", {"loss": 0.25}, "/models/model.tar.gz")
    assert lineage("/models/model.tar.gz")["inputs"] == {"train": "/data/train.csv"}
    assert [(e.name, e.runs) for e in list_experiments()] == [("churn", 1)]
    run = describe_run("churn-baseline")
    assert (run.parameters, run.metrics["auc"]["Last"]) == ({"C": 1.0}, 0.9)
    assert lifecycle_settings().time_limit == 120
    assert [r.status for r in list_lifecycle_runs()] == ["Completed"]
    assert describe_endpoint("old-endpoint").variants[0].invocations == 7
    assert describe_schedule("hourly-check")["last_execution"]["job_name"] == "old-job"

    records.insert_job(store, JobSpec(name="new-job", job_type="Training", program=["true"]), str(home))
    with Run(experiment_name="churn", run_name="second") as second:
        second.log_metric("auc", 0.95)
    create_lifecycle_config("teardown", on_start="echo bye")
    set_schedule_status("hourly-check", "Scheduled")
    delete_endpoint("old-endpoint")
    assert describe_job("new-job").status == "Pending"
    assert [(e.name, e.runs) for e in list_experiments()] == [("churn", 2)]
    assert describe_schedule("hourly-check")["status"] == "Scheduled"
    assert store.query("SELECT COUNT(*) FROM endpoint_variant_stats")[0][0] == 0


def test_a_store_made_before_later_capabilities_gets_their_tables(home: Path) -> None:
    import jupyter_ext.aws.records  # noqa: F401 - its chain too, whichever tests ran before
    import jupyter_ext.registry.records  # noqa: F401 - and the model registry's
    import jupyter_ext.pipelines.records  # noqa: F401 - and the pipelines'
    import jupyter_ext.labeling.records  # noqa: F401 - and the labeling jobs'
    from jupyter_ext.lifecycle import list_lifecycle_configs

    legacy = create_legacy_store(home / "metadata.sqlite", version=3)
    legacy.execute("INSERT INTO experiments (name, created_at) VALUES ('kept', 0)")
    legacy.close()
    store = get_store()
    assert dict(store.query("SELECT chain, version FROM schema_versions")) == {
        "jobs": 4, "experiments": 2, "lifecycle": 1, "serving": 2, "monitoring": 2, "aws": 3, "registry": 1,
        "pipelines": 1, "labeling": 1}
    assert store.query("SELECT name FROM experiments")[0][0] == "kept"
    assert list_lifecycle_configs() == []


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


def _opener(folder: str, rounds: int, barrier) -> None:
    for round_ in range(rounds):
        barrier.wait(60)  # every process opens the same new store file at the same moment
        with metadata.MetadataStore(Path(folder) / f"{round_}.db").transaction() as db:
            db.execute("SELECT 1")


def test_processes_that_create_one_store_at_once_all_get_in(tmp_path: Path) -> None:
    # The first switch to WAL takes an exclusive lock that SQLite reports as "database is
    # locked" without waiting; four parallel launches into a new home once failed on it.
    workers, rounds = 6, 40
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    processes = [context.Process(target=_opener, args=(str(tmp_path), rounds, barrier)) for _ in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [process.exitcode for process in processes] == [0] * workers


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
