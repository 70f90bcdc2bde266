"""The local AWS endpoint from the AWS CLI and raw HTTP: the CLI with exactly what
`jupyter-ext aws env` prints, the endpoint's refusals (keys, signatures, callers,
operations, parameters) in AWS's words, and `jupyter-ext aws serve --detach|status|env|stop`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import botocore.exceptions
import psutil
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config

from aws_fixtures import Endpoint, client_environment, needs_sdk2
from conftest import wait_until

from jupyter_ext import Estimator
from jupyter_ext.aws import default_bucket

BUCKET = default_bucket()


@pytest.fixture(scope="module")
def cli_job(aws_endpoint: Endpoint, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A finished training job in the endpoint's home (made in Python: the CLI sees every job)."""
    folder = tmp_path_factory.mktemp("cli-job")
    (folder / "train.py").write_text("print('hello from the CLI job')\nprint('loss: 0.25')\n")
    env = {**os.environ, "JUPYTER_EXT_HOME": str(aws_endpoint.home)}
    subprocess.run([sys.executable, "-c", "from jupyter_ext import Estimator; Estimator('train.py').fit("
                    "job_name='cli-job', logs=False)"], cwd=folder, env=env, check=True, timeout=120)
    return "cli-job"


def _cli_json(aws: Endpoint, *args: str) -> dict:
    done = aws.cli(*args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@needs_sdk2
def test_cli_lists_and_describes_training_jobs(aws: Endpoint, cli_job: str) -> None:
    listed = _cli_json(aws, "sagemaker", "list-training-jobs", "--name-contains", cli_job)
    assert [(s["TrainingJobName"], s["TrainingJobStatus"]) for s in listed["TrainingJobSummaries"]] == [
        (cli_job, "Completed")]
    described = _cli_json(aws, "sagemaker", "describe-training-job", "--training-job-name", cli_job)
    assert described["TrainingJobStatus"] == "Completed" and described["SecondaryStatus"] == "Completed"
    missing = aws.cli("sagemaker", "describe-training-job", "--training-job-name", "no-such-job")
    assert missing.returncode != 0 and "ValidationException" in missing.stderr and "no-such-job" in missing.stderr


@needs_sdk2
def test_cli_copies_to_and_from_s3_and_lists_the_bucket(aws: Endpoint, tmp_path: Path) -> None:
    (tmp_path / "up.txt").write_text("through the CLI")
    assert aws.cli("s3", "cp", str(tmp_path / "up.txt"), f"s3://{BUCKET}/cli/up.txt").returncode == 0
    listed = aws.cli("s3", "ls", f"s3://{BUCKET}/")
    assert listed.returncode == 0 and "PRE cli/" in listed.stdout
    assert aws.cli("s3", "cp", f"s3://{BUCKET}/cli/up.txt", str(tmp_path / "down.txt")).returncode == 0
    assert (tmp_path / "down.txt").read_text() == "through the CLI"


@needs_sdk2
def test_cli_reads_a_jobs_log_events(aws: Endpoint, cli_job: str) -> None:
    group = "/aws/sagemaker/TrainingJobs"
    streams = _cli_json(aws, "logs", "describe-log-streams", "--log-group-name", group,
                        "--log-stream-name-prefix", cli_job)["logStreams"]
    assert len(streams) == 1 and streams[0]["logStreamName"].startswith(f"{cli_job}/algo-1-")
    events = _cli_json(aws, "logs", "get-log-events", "--log-group-name", group, "--log-stream-name",
                       streams[0]["logStreamName"], "--start-from-head")["events"]
    assert "hello from the CLI job" in [event["message"] for event in events]
    found = _cli_json(aws, "logs", "filter-log-events", "--log-group-name", group,
                      "--filter-pattern", '"from the CLI"')["events"]  # the whole group, paged by the CLI
    assert [(e["logStreamName"], e["message"]) for e in found] == [(streams[0]["logStreamName"], "hello from the CLI job")]


def _job_log_stream(tmp_path: Path, job: str, program: str) -> tuple[object, str, str]:
    """(logs client, group, stream name) of a training job that ran `program`."""
    (tmp_path / f"{job}.py").write_text(program)
    Estimator(str(tmp_path / f"{job}.py")).fit(job_name=job, logs=False)
    client, group = boto3.Session().client("logs"), "/aws/sagemaker/TrainingJobs"
    stream = client.describe_log_streams(logGroupName=group, logStreamNamePrefix=f"{job}/")["logStreams"][0]
    return client, group, stream["logStreamName"]


def test_log_events_from_a_start_time_skip_the_pages_before_it(aws: Endpoint, tmp_path: Path) -> None:
    client, group, name = _job_log_stream(tmp_path, "chatty-job", "import time\nfor i in range(10001):\n    print(i)\n"
                                          "time.sleep(0.05)\nprint('late line')\n")
    first = client.get_log_events(logGroupName=group, logStreamName=name, startFromHead=True)
    assert len(first["events"]) == 10_000  # a page holds at most 10,000 events
    rest = client.get_log_events(logGroupName=group, logStreamName=name, startFromHead=True,
                                 nextToken=first["nextForwardToken"])
    late = next(event for event in rest["events"] if event["message"] == "late line")
    # SDK v2 follows a log by asking from the last event's time; the first page must not be empty.
    since = client.get_log_events(logGroupName=group, logStreamName=name, startFromHead=True,
                                  startTime=late["timestamp"])
    # (Lines read in one burst share a time, as the runner stamps a line as it reads it: the
    # page may start before the late line, and the late line may be on the next page.)
    assert since["events"] and min(event["timestamp"] for event in since["events"]) >= late["timestamp"]
    following = client.get_log_events(logGroupName=group, logStreamName=name, startFromHead=True,
                                      startTime=late["timestamp"], nextToken=since["nextForwardToken"])
    messages = [event["message"] for event in since["events"] + following["events"]]
    assert "late line" in messages and len(messages) < 10_001


def test_log_events_page_back_from_the_tail_to_the_head(aws: Endpoint, tmp_path: Path) -> None:
    client, group, name = _job_log_stream(tmp_path, "paging-job", "for i in range(10):\n    print(f'line {i}')\n")
    every = [e["message"] for e in client.get_log_events(logGroupName=group, logStreamName=name,
                                                         startFromHead=True)["events"]]
    page = client.get_log_events(logGroupName=group, logStreamName=name, limit=3)
    pages = [[e["message"] for e in page["events"]]]
    for _ in every:  # each backward token gives the page before, until the head gives nothing
        page = client.get_log_events(logGroupName=group, logStreamName=name, limit=3,
                                     nextToken=page["nextBackwardToken"])
        if not page["events"]:
            break
        pages.append([e["message"] for e in page["events"]])
    assert pages[0] == every[-3:] and pages[1] == every[-6:-3]
    assert [m for part in reversed(pages) for m in part] == every


def test_filter_log_events_finds_terms_page_by_page(aws: Endpoint, tmp_path: Path) -> None:
    client, group, name = _job_log_stream(tmp_path, "counting-job", "for i in range(3000):\n"
                                          "    print(f'step {i} loss {i % 7}')\nprint('ERROR: disk full')\n"
                                          "print('WARN: slow')\n")
    every = client.get_log_events(logGroupName=group, logStreamName=name, startFromHead=True)
    messages = [event["message"] for event in every["events"]]

    def found(pattern: str, **more) -> list[str]:
        pages = client.get_paginator("filter_log_events").paginate(
            logGroupName=group, logStreamNamePrefix="counting-job/", filterPattern=pattern, **more)
        return [event["message"] for page in pages for event in page["events"]]

    assert found('"loss 3" -"step 1"') == [m for m in messages if "loss 3" in m and "step 1" not in m]
    assert found("?ERROR ?WARN") == ["ERROR: disk full", "WARN: slow"]
    assert found("loss", PaginationConfig={"PageSize": 700}) == [m for m in messages if "loss" in m]  # 5 pages
    page = client.filter_log_events(logGroupName=group, logStreamNames=[name], limit=2)
    assert [e["message"] for e in page["events"]] == messages[:2] and page["nextToken"]
    later = client.filter_log_events(logGroupName=group, logStreamNames=[name], limit=2,
                                     nextToken=page["nextToken"])
    assert [e["message"] for e in later["events"]] == messages[2:4]
    with pytest.raises(client.exceptions.InvalidParameterException, match="JSON and space-delimited"):
        client.filter_log_events(logGroupName=group, filterPattern='{ $.level = "error" }')


def _error(call) -> tuple[str, int]:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_wrong_keys_are_refused_by_s3_and_the_api(aws: Endpoint) -> None:
    wrong_secret = boto3.Session(aws_access_key_id=aws.env["AWS_ACCESS_KEY_ID"], aws_secret_access_key="wrong")
    assert _error(lambda: wrong_secret.client("s3").list_objects_v2(Bucket=BUCKET)) == ("SignatureDoesNotMatch", 403)
    assert _error(lambda: wrong_secret.client("sagemaker").list_training_jobs()) == ("SignatureDoesNotMatch", 403)
    stranger = boto3.Session(aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="whatever")
    assert _error(lambda: stranger.client("sagemaker").list_training_jobs()) == ("UnrecognizedClientException", 403)
    assert _error(lambda: stranger.client("logs").describe_log_groups()) == ("UnrecognizedClientException", 403)


def test_unsigned_requests_are_refused_in_aws_shape(aws: Endpoint) -> None:
    headers = {"X-Amz-Target": "SageMaker.ListTrainingJobs", "Content-Type": "application/x-amz-json-1.1"}
    answer = requests.post(aws.url, headers=headers, data="{}", timeout=10)
    assert answer.status_code == 403 and answer.json()["__type"] == "MissingAuthenticationTokenException"
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(urllib.request.Request(aws.url, data=b"{}", headers=headers), timeout=10)
    assert caught.value.code == 403 and json.load(caught.value)["__type"] == "MissingAuthenticationTokenException"
    assert requests.get(aws.url, timeout=10).status_code == 403
    preflight = requests.options(aws.url, timeout=10, headers={"Origin": "https://attacker.example",
                                                               "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403 and preflight.json()["__type"] == "AccessDeniedException"
    assert "Access-Control-Allow-Origin" not in preflight.headers


@pytest.mark.parametrize("header", [{"Origin": "https://attacker.example"}, {"Host": "attacker.example"}])
def test_signed_requests_from_web_pages_or_other_hosts_are_refused(aws: Endpoint, header: dict[str, str]) -> None:
    request = AWSRequest("POST", aws.url + "/", data=b"{}", headers={
        "X-Amz-Target": "SageMaker.ListTrainingJobs", "Content-Type": "application/x-amz-json-1.1", **header})
    SigV4Auth(boto3.Session().get_credentials(), "sagemaker", "us-east-1").add_auth(request)
    answer = requests.post(request.url, headers=dict(request.headers), data=request.body, timeout=10)
    assert answer.status_code == 403 and answer.json()["__type"] == "AccessDeniedException"
    assert "attacker.example" in answer.json()["message"]


@pytest.mark.parametrize("header", [{"Origin": "https://attacker.example"}, {"Host": "attacker.example"}])
def test_a_web_page_gets_nothing_from_s3(aws: Endpoint, header: dict[str, str]) -> None:
    """rclone checks neither Origin nor Host, but every request must be signed with the
    endpoint's secret, which a page cannot do: no object, no listing, no CORS grant."""
    s3 = boto3.Session().client("s3")
    s3.put_object(Bucket=BUCKET, Key="page/secret.txt", Body=b"the secret")
    for method, path in [("GET", f"/{BUCKET}/page/secret.txt"), ("GET", f"/{BUCKET}?prefix=page/"), ("GET", "/"),
                         ("PUT", f"/{BUCKET}/page/planted.txt"), ("OPTIONS", f"/{BUCKET}/page/secret.txt")]:
        answer = requests.request(method, aws.s3_url + path, data=b"x" if method == "PUT" else None, timeout=10,
                                  headers={**header, "Access-Control-Request-Method": "GET"})
        assert answer.status_code >= 400 and b"secret" not in answer.content, (method, path, answer.status_code)
        assert answer.headers.get("Access-Control-Allow-Origin") in (None, ""), (method, path, answer.headers)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="page/")["Contents"]] == ["page/secret.txt"]


def test_maxima_botocore_leaves_to_aws_are_checked_as_aws_does(aws: Endpoint) -> None:
    sagemaker = boto3.Session().client("sagemaker")
    with pytest.raises(sagemaker.exceptions.ClientError, match="ValidationException.*Value '100000' at 'maxResults' "
                       "failed to satisfy constraint: Member must have value less than or equal to 100"):
        sagemaker.list_training_jobs(MaxResults=100_000)
    assert sagemaker.list_training_jobs(MaxResults=100, NameContains="no-such-job")["TrainingJobSummaries"] == []


def test_an_operation_not_served_is_named_in_the_error(aws: Endpoint) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        boto3.Session().client("sagemaker").list_clusters()
    error = caught.value.response["Error"]
    assert error["Code"] == "UnknownOperationException" and "ListClusters" in error["Message"]


def test_a_request_missing_a_required_field_gets_botocores_message(aws: Endpoint) -> None:
    unchecked = boto3.Session().client("sagemaker", config=Config(parameter_validation=False))
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        unchecked.describe_training_job()
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == 'Missing required parameter in input: "TrainingJobName"'


@needs_sdk2
def test_serve_detach_status_env_stop_round_trip(tmp_path: Path) -> None:
    env = {**os.environ, "JUPYTER_EXT_HOME": str(tmp_path)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "jupyter_ext.cli", "aws", *args], env=env, text=True,
                              capture_output=True, timeout=60)

    started = cli("serve", "--detach", "--port", "0")
    assert started.returncode == 0, started.stderr
    assert "AWS endpoint on http://127.0.0.1:" in started.stdout
    try:
        status = json.loads(cli("status").stdout)
        assert status["url"] in started.stdout and psutil.pid_exists(status["pid"])
        printed = cli("env").stdout
        assert f"export AWS_ENDPOINT_URL={status['url']}" in printed
        endpoint = Endpoint(status["url"], status["s3_url"], tmp_path, client_environment(tmp_path))
        listed = endpoint.cli("sagemaker", "list-training-jobs")
        assert listed.returncode == 0 and json.loads(listed.stdout) == {"TrainingJobSummaries": []}
        assert endpoint.cli("s3", "ls", f"s3://{BUCKET}/").returncode == 0  # a fresh home has the default bucket
    finally:
        stopped = cli("stop")
    assert stopped.returncode == 0 and f"pid {status['pid']}" in stopped.stdout
    wait_until(lambda: not psutil.pid_exists(status["pid"]) or psutil.Process(status["pid"]).status() == "zombie",
               30, "the detached endpoint to exit")
    after = cli("status")
    assert after.returncode != 0 and "No AWS endpoint is running" in after.stderr
