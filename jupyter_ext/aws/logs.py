"""CloudWatch Logs over job logs: the calls the SDK and the CLI make to stream a job's log.

Log groups are SageMaker's (`/aws/sagemaker/TrainingJobs`, `/aws/sagemaker/ProcessingJobs`, ...);
each job has one stream, `<job>/algo-1-<creation epoch>`, whose events are the job log's
lines; FilterLogEvents searches them with CloudWatch's term patterns. Paging tokens are
byte offsets into the log (`f/<offset>` forward, `b/<offset>` back), so following a log as it grows costs one
read from where the last page ended.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..errors import NotFoundError
from ..jobs import Job, list_jobs
from ..jobs.logs import read_log, tail_log
from ..models import LogLine
from .operations import Call
from .protocol import AwsError

__all__ = ["SERVICE", "OPERATIONS", "LOG_GROUPS", "stream_name"]

SERVICE = "logs"
LOG_GROUPS = {"/aws/sagemaker/TrainingJobs": "Training", "/aws/sagemaker/ProcessingJobs": "Processing",
              "/aws/sagemaker/TransformJobs": "Transform"}
_MAX_EVENTS, _MAX_BYTES = 10_000, 1 << 20


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def stream_name(job: str, created: datetime) -> str:
    """The log stream of a job, as SageMaker names a host's stream."""
    return f"{job}/algo-1-{int(created.timestamp())}"


def _job_type(group: str) -> str:
    job_type = LOG_GROUPS.get(group)
    if job_type is None:
        raise AwsError("ResourceNotFoundException", f"The specified log group does not exist: {group!r} (this "
                       f"endpoint has {', '.join(LOG_GROUPS)}).")
    return job_type


def _job_of(group: str, stream: str) -> Job:
    job_type = _job_type(group)
    name = stream.rsplit("/algo-", 1)[0]
    try:
        job = Job(name)
        if job.describe().job_type == job_type:
            return job
    except NotFoundError:
        pass
    raise AwsError("ResourceNotFoundException", f"The specified log stream does not exist: {stream!r} in {group}.")


def _streams(group: str, prefix: str) -> list[tuple[str, Any]]:
    """(stream name, job summary) of the group's streams whose names start with `prefix`."""
    job_part = prefix.split("/", 1)[0]
    named = ((stream_name(summary.name, summary.created_at), summary)
             for summary in list_jobs(type=_job_type(group), name_contains=job_part or None, limit=None))
    return [(name, summary) for name, summary in named if name.startswith(prefix)]


def describe_log_streams(call: Call) -> dict[str, Any]:
    """The streams of a group whose names start with `logStreamNamePrefix`."""
    params = call.params
    group = params["logGroupName"]
    streams = []
    for name, summary in _streams(group, params.get("logStreamNamePrefix") or ""):
        created = _millis(summary.created_at)
        last = _millis(summary.ended_at or summary.started_at or summary.created_at)
        streams.append({"logStreamName": name, "creationTime": created, "firstEventTimestamp": created,
                        "lastEventTimestamp": last, "lastIngestionTime": last, "storedBytes": 0,
                        "arn": f"arn:aws:logs:{call.region}:{call.account}:log-group:{group}:log-stream:{name}"})
    streams.sort(key=lambda s: s["logStreamName"] if params.get("orderBy", "LogStreamName") == "LogStreamName"
                 else s["lastEventTimestamp"], reverse=bool(params.get("descending")))
    limit = int(params.get("limit") or 50)
    start = int(params["nextToken"]) if str(params.get("nextToken") or "").isdigit() else 0
    answer: dict[str, Any] = {"logStreams": streams[start:start + limit]}
    if start + limit < len(streams):
        answer["nextToken"] = str(start + limit)
    return answer


def _event(line: LogLine) -> dict[str, Any]:
    stamp = _millis(line.timestamp)
    return {"timestamp": stamp, "message": line.message, "ingestionTime": stamp}


def _in_window(line: LogLine, params: dict[str, Any]) -> bool:
    stamp = _millis(line.timestamp)
    return ((params.get("startTime") is None or stamp >= params["startTime"])
            and (params.get("endTime") is None or stamp < params["endTime"]))


def get_log_events(call: Call) -> dict[str, Any]:
    """A page of a stream's events: from the head (startFromHead or a forward token), its
    tail, or the page before a backward token."""
    params = call.params
    job = _job_of(params["logGroupName"], params["logStreamName"])
    limit = min(int(params.get("limit") or _MAX_EVENTS), _MAX_EVENTS)
    token = params.get("nextToken")
    if token and not (token[:2] in ("f/", "b/") and token[2:].isdigit()):
        raise AwsError("InvalidParameterException", f"nextToken {token!r} is not one this endpoint gave out.")
    if token and token.startswith("f/") or not token and params.get("startFromHead"):
        events, chunk = _forward_page(job, int(token[2:]) if token else 0, limit, params)
    else:  # the stream's tail, or the page before a backward token
        chunk = tail_log(job.log_path, limit, int(token[2:]) if token else None)
        events = [_event(line) for line in chunk.lines if _in_window(line, params)]
    return {"events": events, "nextForwardToken": f"f/{chunk.next_offset}", "nextBackwardToken": f"b/{chunk.offset}"}


def _forward_page(job: Job, offset: int, limit: int, params: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
    """The first page from `offset` with events in the time window: pages wholly before
    `startTime` are passed over, as CloudWatch starts at `startTime` (SDK v2 follows a log
    by asking again with the last event's time, and stops at the first empty page)."""
    while True:
        chunk = read_log(job.log_path, offset, _MAX_BYTES, max_lines=limit)
        events = [_event(line) for line in chunk.lines if _in_window(line, params)]
        if events or chunk.next_offset <= offset or chunk.next_offset >= chunk.size:
            return events, chunk
        offset = chunk.next_offset


def _matcher(pattern: str) -> Callable[[str], bool]:
    """CloudWatch's term filter patterns: every plain term (or "quoted phrase") in the
    message, at least one `?term` if any is given, no `-term`; case-sensitive."""
    pattern = pattern.strip()
    if pattern.startswith(("{", "[")):
        raise AwsError("InvalidParameterException", f"filterPattern {pattern!r}: JSON and space-delimited patterns "
                       "are not served here; use terms: ERROR, \"a phrase\", ?ERROR ?WARN, -DEBUG.")
    try:
        terms = shlex.split(pattern)
    except ValueError as error:
        raise AwsError("InvalidParameterException", f"filterPattern {pattern!r}: {error}.") from None
    required = [t for t in terms if t[0] not in "?-"]
    optional = [t[1:] for t in terms if t[0] == "?" and len(t) > 1]
    excluded = [t[1:] for t in terms if t[0] == "-" and len(t) > 1]
    return lambda message: (all(t in message for t in required) and not any(t in message for t in excluded)
                            and (not optional or any(t in message for t in optional)))


def _filter_streams(params: dict[str, Any]) -> list[str]:
    group = params.get("logGroupName") or params.get("logGroupIdentifier") or ""
    names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
    if names and prefix:
        raise AwsError("InvalidParameterException", "Give logStreamNames or logStreamNamePrefix, not both.")
    streams = sorted(name for name, _ in _streams(group, prefix or ""))
    return [name for name in streams if name in names] if names else streams


def filter_log_events(call: Call) -> dict[str, Any]:
    """Events of a group's streams (all, named, or by prefix) in the time window that match
    `filterPattern`, stream by stream; a page ends at `limit` events or after about 4 MB read
    (its `nextToken`, `<stream index>/<byte offset>`, goes on from there)."""
    params = call.params
    streams, matches = _filter_streams(params), _matcher(params.get("filterPattern") or "")
    group = params.get("logGroupName") or params.get("logGroupIdentifier")
    limit = min(int(params.get("limit") or _MAX_EVENTS), _MAX_EVENTS)
    index, offset = _filter_token(params.get("nextToken"))
    events: list[dict[str, Any]] = []
    searched, budget = [], 4 * _MAX_BYTES
    while index < len(streams) and len(events) < limit and budget > 0:
        path = _job_of(group, streams[index]).log_path
        chunk = read_log(path, offset, _MAX_BYTES, max_lines=1000)
        budget -= chunk.next_offset - chunk.offset
        for number, line in enumerate(chunk.lines):
            if _in_window(line, params) and matches(line.message):
                events.append({"logStreamName": streams[index], "eventId": f"{index}-{chunk.offset}-{number}",
                               **_event(line)})
                if len(events) == limit:
                    chunk = read_log(path, offset, _MAX_BYTES, max_lines=number + 1)
                    break
        stalled, offset = chunk.next_offset == chunk.offset, chunk.next_offset
        if len(events) < limit and (offset >= chunk.size or stalled):  # a running job's partial line waits
            searched.append({"logStreamName": streams[index], "searchedCompletely": True})
            index, offset = index + 1, 0
    answer: dict[str, Any] = {"events": events, "searchedLogStreams": searched}
    if index < len(streams):
        answer["nextToken"] = f"{index}/{offset}"
    return answer


def _filter_token(token: str | None) -> tuple[int, int]:
    if not token:
        return 0, 0
    index, _, offset = token.partition("/")
    if not (index.isdigit() and offset.isdigit()):
        raise AwsError("InvalidParameterException", f"nextToken {token!r} is not one this endpoint gave out.")
    return int(index), int(offset)


def describe_log_groups(call: Call) -> dict[str, Any]:
    """The log groups this endpoint has."""
    prefix = call.params.get("logGroupNamePrefix") or ""
    return {"logGroups": [{"logGroupName": group, "creationTime": 0, "storedBytes": 0,
                           "arn": f"arn:aws:logs:{call.region}:{call.account}:log-group:{group}:*"}
                          for group in LOG_GROUPS if group.startswith(prefix)]}


OPERATIONS = {"DescribeLogStreams": describe_log_streams, "GetLogEvents": get_log_events,
              "DescribeLogGroups": describe_log_groups, "FilterLogEvents": filter_log_events}
