"""One job step's run inside a pipeline execution: the cache looked up, the job launched
(and launched again under its retry policies), watched until it ends, stopped with the
execution."""

from __future__ import annotations

import hashlib
import json
import re
import time
import threading
from typing import Any, Protocol

from ..errors import ConflictError, ValidationError
from ..jobs import Job, describe_job, stop_job
from ..models import TERMINAL_STATUSES
from ..store import MetadataStore
from . import records
from .step_runners import code_digest, job_properties, launch_step

__all__ = ["JobRun", "cache_key", "expiry_seconds"]

_POLL = 0.1
_JOB_FAILURE = "SageMaker.JOB_INTERNAL_ERROR"
_LAUNCH_FAILURE = "Step.SERVICE_FAULT"
_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
_DEFAULT_RETRIES = 5


def expiry_seconds(duration: str | None) -> float | None:
    """An ISO 8601 duration ("P30D", "PT1H") in seconds; None for no limit."""
    if not duration:
        return None
    match = _DURATION.fullmatch(duration)
    if match is None or duration in ("P", "PT"):
        raise ValidationError(f"CacheConfig expire_after {duration!r} is not an ISO 8601 duration such as P30D or PT1H.")
    years, months, weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return (((years * 365 + months * 30 + weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60.0 + seconds


def cache_key(kind: str, args: dict[str, Any]) -> str:
    """What must be unchanged for a step to be reused: its kind, resolved arguments and code."""
    text = json.dumps({"kind": kind, "args": args, "code": code_digest(kind, args)}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class ExecutionRun(Protocol):
    """What a job step needs of the execution's run."""

    store: MetadataStore
    execution_id: str
    pipeline: str
    stopping: threading.Event
    started_at: float
    experiment: dict[str, str] | None


class JobRun:
    """A job step of `run` (the execution's run) called `name`, with resolved arguments `args`."""

    def __init__(self, run: ExecutionRun, name: str, step: dict[str, Any], args: dict[str, Any]) -> None:
        self.run_, self.name, self.step, self.args = run, name, step, args
        self.kind = step["Kind"]

    def run(self) -> tuple[str, dict[str, Any], str | None]:
        """(step status, properties, failure reason)."""
        key = cache_key(self.kind, self.args)
        cache = self.step.get("CacheConfig") or {}
        if cache.get("Enabled"):
            hit = self._cached(key, expiry_seconds(cache.get("ExpireAfter")))
            if hit is not None:
                return hit
        records.save_step(self.run_.store, self.run_.execution_id, self.name, cache_key=key)
        attempt = 0
        while True:
            attempt += 1
            records.save_step(self.run_.store, self.run_.execution_id, self.name, attempts=attempt)
            try:
                job = launch_step(self.kind, self.args, self.run_.experiment)
            except ValidationError:
                raise
            except Exception as error:
                if self._wait_to_retry(_LAUNCH_FAILURE, attempt):
                    continue
                raise RuntimeError(f"its job could not start: {error}") from error
            outcome = self._watch(job)
            if outcome[0] == "Failed" and self._wait_to_retry(_JOB_FAILURE, attempt):
                print(f"Step {self.name}: job {job.name} failed ({outcome[2]}); retrying", flush=True)
                continue
            return outcome

    def _cached(self, key: str, expiry: float | None) -> tuple[str, dict[str, Any], str | None] | None:
        not_before = 0.0 if expiry is None else time.time() - expiry
        row = records.cached_step(self.run_.store, self.run_.pipeline, self.name, key, not_before)
        if row is None or (row["job_name"] and describe_job(row["job_name"]).status != "Completed"):
            return None
        print(f"Step {self.name}: reused from execution {row['execution_id']} (job {row['job_name']})", flush=True)
        records.save_step(self.run_.store, self.run_.execution_id, self.name, cache_key=key,
                          cache_hit_execution=row["execution_id"], job_name=row["job_name"], job_type=row["job_type"])
        return "Succeeded", json.loads(row["outputs"] or "{}"), None

    def _policy(self, exception_type: str) -> dict[str, Any] | None:
        for policy in self.step.get("RetryPolicies", []):
            if exception_type in policy["ExceptionType"]:
                return dict(policy)
        return None

    def _wait_to_retry(self, exception_type: str, attempt: int) -> bool:
        """Whether a retry policy retries attempt number `attempt` (after its wait)."""
        policy = self._policy(exception_type)
        if policy is None or self.run_.stopping.is_set():
            return False
        most = policy.get("MaxAttempts", _DEFAULT_RETRIES if "ExpireAfterMin" not in policy else 10 ** 6)
        if attempt > most:
            return False
        started = self.run_.started_at
        if "ExpireAfterMin" in policy and time.time() - started > policy["ExpireAfterMin"] * 60:
            return False
        delay = float(policy.get("IntervalSeconds", 1)) * float(policy.get("BackoffRate", 2.0)) ** (attempt - 1)
        return not self.run_.stopping.wait(delay)

    def _watch(self, job: Job) -> tuple[str, dict[str, Any], str | None]:
        description = describe_job(job.name)
        records.save_step(self.run_.store, self.run_.execution_id, self.name, job_name=job.name,
                          job_type=description.job_type)
        print(f"Step {self.name}: started {description.job_type.lower()} job {job.name}", flush=True)
        asked = False
        while description.status not in TERMINAL_STATUSES:
            if self.run_.stopping.is_set() and not asked:
                asked = True
                try:
                    stop_job(job.name, reason="Pipeline execution stopped")
                except ConflictError:
                    pass  # it ended meanwhile
            time.sleep(_POLL)
            description = describe_job(job.name)
        if description.status == "Completed":
            return "Succeeded", job_properties(self.kind, description), None
        if description.status == "Stopped":
            return "Stopped", {}, description.failure_reason
        return "Failed", {}, description.failure_reason or f"job {job.name} failed"
