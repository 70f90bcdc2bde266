"""Spark through Livy: the embedded gateway with real pyspark, driven by sparkmagic's own
client classes, the `livy` package from PyPI and our LivyClient; PySparkProcessor jobs;
a notebook run through sparkmagic's PySpark kernel under papermill."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
import requests
from conftest import wait_until
from spark_fixtures import gateway, sparkmagic_dir, sparkmagic_session  # noqa: F401 (fixtures)

from jupyter_ext import UnexpectedStatusError, ValidationError
from jupyter_ext.cli import main as cli
from jupyter_ext.errors import NotFoundError
from jupyter_ext.spark import (LivyClient, LivyGateway, LivyRequestError, PySparkProcessor, default_livy_url,
                               gateway_token, install_pyspark_kernel, livy_requests_session)

pytestmark = pytest.mark.timeout(600)

SESSION_KEYS = {"id", "name", "appId", "owner", "proxyUser", "state", "kind", "appInfo", "log"}


def _run(session, code: str) -> tuple[bool, str]:
    """Run `code` with sparkmagic's Command, as `%%spark` does."""
    from sparkmagic.livyclientlib.command import Command

    success, out, _mimetype = Command(code).execute(session)
    return success, out


# --- Livy's shapes, through our client ------------------------------------------------

def test_livy_shapes_of_sessions_statements_and_logs(gateway, sparkmagic_session) -> None:
    client = LivyClient(gateway.url)
    assert client.version() == "0.8.0-incubating"
    session = client.session(sparkmagic_session.id)
    assert SESSION_KEYS <= set(session) and session["kind"] == "pyspark" and session["state"] == "idle"
    listed = client.request("GET", "/sessions")
    assert listed["total"] >= 1 and {"from", "total", "sessions"} <= set(listed)
    submitted = client.submit(session["id"], "1 + 1")
    assert submitted["state"] in ("waiting", "running") and submitted["output"] is None
    done = client.wait_for_statement(session["id"], submitted["id"])
    assert done["output"] == {"status": "ok", "execution_count": submitted["id"], "data": {"text/plain": "2"}}
    assert done["completed"] >= done["started"] > 0 and done["progress"] == 1.0
    assert client.run(session["id"], "sc.parallelize(range(100)).map(lambda x: x * 2).reduce(lambda x, y: x + y)") \
        == {"status": "ok", "execution_count": submitted["id"] + 1, "data": {"text/plain": "9900"}}
    statements = client.request("GET", f"/sessions/{session['id']}/statements")
    assert statements["total_statements"] == len(statements["statements"]) >= 2
    log = client.session_log(session["id"], 0, 3)
    assert log["from"] == 0 and len(log["log"]) == 3 and log["total"] >= 3
    tail = client.request("GET", f"/sessions/{session['id']}/log", params={"size": 2})
    assert tail["from"] == tail["total"] - 2


def test_repl_semantics_match_livy(gateway, sparkmagic_session) -> None:
    client = LivyClient(gateway.url)
    sid = sparkmagic_session.id
    assert client.run(sid, "import os")["data"] == {"text/plain": ""}
    error = client.run(sid, "abcde")
    assert (error["status"], error["ename"], error["evalue"]) == ("error", "NameError", "name 'abcde' is not defined")
    assert error["traceback"][-1].startswith("NameError") and "jupyter_ext" not in "".join(error["traceback"])
    assert client.run(sid, "raise KeyError('foo')")["evalue"] == "'foo'"
    assert client.run(sid, "print(1)\r\nprint(1)")["data"]["text/plain"] == "1\n1"
    assert client.run(sid, "for i in range(3):")["evalue"] == "incomplete statement"
    table = client.run(sid, "rows = [{'n': 1, 'name': 'a'}]\n%table rows")["data"]
    assert table["application/vnd.livy.table.v1+json"]["headers"] == [
        {"name": "n", "type": "INT_TYPE"}, {"name": "name", "type": "STRING_TYPE"}]
    assert client.run(sid, "%json rows")["data"]["application/json"] == [{"n": 1, "name": "a"}]
    sql = client.run(sid, "SELECT 1 AS one, 'x' AS letter", kind="sql")["data"]["application/json"]
    assert [f["name"] for f in sql["schema"]["fields"]] == ["one", "letter"] and sql["data"] == [[1, "x"]]
    assert client.run(sid, "SELECT nope FROM nowhere", kind="sql")["status"] == "error"
    completion = client.request("POST", f"/sessions/{sid}/completion", {"code": "spark.rang", "kind": "pyspark", "cursor": 10})
    assert "spark.range" in completion["candidates"]


# --- sparkmagic's own client classes -------------------------------------------------

def test_sparkmagic_runs_code_errors_and_sql_to_pandas(gateway, sparkmagic_session) -> None:
    from sparkmagic.livyclientlib.sparkstorecommand import SparkStoreCommand
    from sparkmagic.livyclientlib.sqlquery import SQLQuery

    assert sparkmagic_session.status == "idle" and sparkmagic_session.sql_context_variable_name == "spark"
    assert _run(sparkmagic_session, "numbers = spark.range(5).selectExpr('id', 'id * id AS square')\n"
                                    "numbers.createOrReplaceTempView('numbers')\nnumbers.count()") == (True, "5")
    success, out = _run(sparkmagic_session, "1 / 0")
    assert not success and "ZeroDivisionError" in out
    frame = SQLQuery("SELECT id, square FROM numbers ORDER BY id").execute(sparkmagic_session)
    assert frame["square"].tolist() == [0, 1, 4, 9, 16]  # the first toJSON warns on pyspark 4.2+: filtered
    stored = SparkStoreCommand("numbers", samplemethod="take", maxrows=3).execute(sparkmagic_session)
    assert list(stored.columns) == ["id", "square"] and len(stored) == 3
    assert "Spark" in sparkmagic_session.get_logs()  # %%logs: the driver's log


def test_sparkmagic_cancels_a_running_statement(gateway, sparkmagic_session) -> None:
    http = sparkmagic_session._http_client
    sid = sparkmagic_session.id
    slow = "import time\nsc.parallelize(range(4), 4).map(lambda x: time.sleep(60)).count()"
    statement = http.post_statement(sid, {"code": slow})
    waiting = http.post_statement(sid, {"code": "'never runs'"})
    wait_until(lambda: http.get_statement(sid, statement["id"])["state"] == "running", 60, "statement running")
    assert LivyClient(gateway.url).session(sid)["state"] == "busy"
    assert http.cancel_statement(sid, waiting["id"]) == {"msg": "canceled"}
    assert http.cancel_statement(sid, statement["id"]) == {"msg": "canceled"}
    final = wait_until(lambda: (s := http.get_statement(sid, statement["id"]))["state"] == "cancelled" and s, 60,
                       "statement cancelled")
    assert final["output"] is None or final["output"]["status"] == "error"
    assert http.get_statement(sid, waiting["id"])["state"] == "cancelled"
    wait_until(lambda: http.get_session(sid)["state"] == "idle", 30, "session idle again")
    assert _run(sparkmagic_session, "2 + 2") == (True, "4")


def test_sparkmagic_cleanup_deletes_sessions(gateway) -> None:
    from sparkmagic.livyclientlib.endpoint import Endpoint
    from sparkmagic.livyclientlib.livyreliablehttpclient import LivyReliableHttpClient

    http = LivyReliableHttpClient.from_endpoint(Endpoint(gateway.url, None))
    created = http.post_session({"kind": "pyspark", "name": "short-lived"})
    assert created["state"] == "starting"
    assert LivyClient(gateway.url).session("short-lived")["id"] == created["id"]  # by name, Livy 0.7+
    http.delete_session(created["id"])
    assert created["id"] not in [s["id"] for s in http.get_sessions()["sessions"]]
    with pytest.raises(NotFoundError, match=f"Session '{created['id']}' not found"):
        LivyClient(gateway.url).session(created["id"])


# --- the `livy` package from PyPI -----------------------------------------------------

def test_pylivy_drives_a_session_and_a_failing_batch(gateway, sparkmagic_session, tmp_path: Path) -> None:
    import livy
    import livy.client

    http = livy_requests_session(gateway.url)  # pylivy sends the token and X-Requested-By through it
    with pytest.raises(livy.models.SparkRuntimeError, match="ValueError"):
        livy.LivySession(gateway.url, sparkmagic_session.id, echo=False, requests_session=http).run(
            "raise ValueError('bad input')")
    remote = livy.LivySession(gateway.url, sparkmagic_session.id, echo=False, requests_session=http)
    assert remote.state == livy.SessionState.IDLE
    assert remote.run("print(6 * 7)").text == "42"
    remote.run("squares = spark.range(4).selectExpr('id * id AS sq')")
    assert remote.download("squares")["sq"].tolist() == [0, 1, 4, 9]
    pylivy = livy.client.LivyClient(gateway.url, requests_session=http)
    statement = pylivy.create_statement(sparkmagic_session.id, "SELECT 2 AS two", kind=livy.models.StatementKind.SQL)
    done = wait_until(lambda: pylivy.get_statement(sparkmagic_session.id, statement.statement_id).output, 30, "sql")
    assert done.json["data"] == [[2]] and done.json["schema"]["fields"][0]["name"] == "two"
    app = tmp_path / "broken.py"
    app.write_text("raise SystemExit('the batch cannot start')\n")
    batch = livy.LivyBatch.create(gateway.url, str(app), requests_session=http)
    batch.wait()
    assert batch.state == livy.SessionState.DEAD
    assert any("the batch cannot start" in line for line in batch.log())


def test_pylivy_creates_a_sql_session_and_downloads_a_query(gateway) -> None:
    import livy
    import livy.client

    http = livy_requests_session(gateway.url)
    with livy.LivySession.create(gateway.url, kind=livy.SessionKind.SQL, echo=False, requests_session=http) as session:
        assert session.state == livy.SessionState.IDLE
        frame = session.download_sql("SELECT id, id * 3 AS triple FROM range(3)")
        assert frame["triple"].tolist() == [0, 3, 6]
        with pytest.raises(livy.models.SparkRuntimeError):
            session.run("SELECT * FROM no_such_table")
        session_id = session.session_id
    assert livy.client.LivyClient(gateway.url, requests_session=http).get_session(session_id) is None  # closed: deleted


# --- bad input and security ----------------------------------------------------------

def test_bad_requests_get_livys_error_shapes_and_the_server_stays_up(gateway, tmp_path: Path) -> None:
    url = gateway.url
    requests = livy_requests_session(url)  # the token and X-Requested-By, as our clients send them
    missing = requests.get(f"{url}/sessions/999")
    assert missing.status_code == 404 and missing.json() == {"msg": "Session '999' not found."}
    assert requests.get(f"{url}/sessions/0/statements/999").status_code in (404, 400)
    malformed = requests.post(f"{url}/sessions", data="{not json", headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400 and isinstance(malformed.json(), str)
    unknown = requests.post(f"{url}/sessions", json={"kind": "pyspark", "colour": "red"})
    assert unknown.status_code == 400 and 'Unrecognized field "colour"' in unknown.json()
    scala = requests.post(f"{url}/sessions", json={"kind": "spark"})
    assert scala.status_code == 400 and "unsupported kind 'spark'" in scala.json()["msg"]
    outside = Path("/etc/hostname") if Path("/etc/hostname").exists() else Path(sys.executable)
    batch = requests.post(f"{url}/batches", json={"file": str(outside)})
    assert batch.status_code == 400 and "not under an allowed folder" in batch.json()["msg"]
    assert requests.post(f"{url}/batches", json={}).json() == {"msg": "Rejected, Reason: requirement failed: File is required."}
    assert requests.get(f"{url}/sessions", params={"from": "x"}).status_code == 400
    with pytest.raises(NotFoundError, match="not found"):
        LivyClient(url).submit(12345, "1")
    assert requests.get(f"{url}/version").status_code == 200 and requests.get(url).status_code == 200


def test_csrf_and_basic_auth_as_livy_does_them(tmp_path: Path) -> None:
    with LivyGateway(port=0, csrf=True, username="ada", password="s3cret", allowed_folders=[tmp_path]) as secured:
        assert requests.get(f"{secured.url}/sessions").status_code == 401
        auth = ("ada", "s3cret")
        assert requests.get(f"{secured.url}/sessions", auth=auth).json()["total"] == 0
        csrf = requests.post(f"{secured.url}/batches", json={}, auth=auth)
        assert csrf.status_code == 400 and "CSRF" in csrf.json()["msg"]
        with pytest.raises(Exception, match="File is required"):  # our client sends X-Requested-By
            LivyClient(secured.url, auth=auth).request("POST", "/batches", {}, retry=False)
        assert requests.get(f"{secured.url}/version", auth=("ada", "wrong")).status_code == 401
    with pytest.raises(ValidationError, match="must start with http"):
        LivyClient("localhost:8998")


def test_heartbeat_and_idle_timeouts_collect_forgotten_sessions(gateway) -> None:
    client = LivyClient(gateway.url)
    forgotten = client.create_session("pyspark", heartbeatTimeoutInSecond=1)
    idle = client.create_session("pyspark", idleTimeout="1s")
    kept = client.create_session("pyspark", heartbeatTimeoutInSecond=3600)
    collected: set[int] = set()
    # Listing sessions (GET /sessions) renews no heartbeat, as in Livy.
    wait_until(lambda: collected.update(gateway.check_lifetimes()) or {forgotten["id"], idle["id"]} <= collected,
               20, "heartbeat and idle expiry")
    assert kept["id"] not in collected and client.session(kept["id"])["state"] == "starting"
    with pytest.raises(NotFoundError):
        client.session(forgotten["id"])
    client.delete_session(kept["id"])


def test_a_crashed_driver_leaves_the_session_in_error_and_the_server_up(gateway) -> None:
    client = LivyClient(gateway.url)
    session = client.create_session("pyspark", name="doomed")
    driver = wait_until(lambda: gateway.sessions[session["id"]].process, 10, "driver process")
    os.killpg(driver.pid, signal.SIGKILL)
    wait_until(lambda: client.session(session["id"])["state"] == "error", 20, "session in error")
    with pytest.raises(LivyRequestError, match="Session is in state error"):
        client.submit(session["id"], "1 + 1")
    assert client.version() and client.delete_session(session["id"]) is None
    assert session["id"] not in [s["id"] for s in client.sessions()]


# --- jobs and notebooks --------------------------------------------------------------

SUM_APP = """
import sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.appName("sum").getOrCreate()
total = spark.sparkContext.parallelize(range(int(sys.argv[1]))).sum()
print("SUM", total)
spark.stop()
"""


def test_pyspark_processor_runs_a_livy_batch_as_a_processing_job(gateway, script) -> None:
    script(SUM_APP, "sum_app.py")
    processor = PySparkProcessor(livy_url=gateway.url, framework_version="3.5", poll_seconds=0.5)
    processor.run(submit_app="sum_app.py", arguments=["101"],
                  configuration=[{"Classification": "spark-defaults", "Properties": {"spark.ui.enabled": "false"}}])
    description = processor.latest_job.describe()
    assert description.job_type == "Processing" and description.status == "Completed"
    log = "\n".join(line.message for line in processor.latest_job.tail(2000))
    assert "SUM 5050" in log and "Livy batch" in log and "ended: success" in log
    with pytest.raises(UnexpectedStatusError, match="SparkApplicationError.*RuntimeError: broken spark app"):
        script("raise RuntimeError('broken spark app')\n", "broken_app.py")
        PySparkProcessor(livy_url=gateway.url, poll_seconds=0.5).run(submit_app="broken_app.py")
    with pytest.raises(ValidationError, match="must be a local .py file"):
        PySparkProcessor(livy_url=gateway.url).run(submit_app="missing.py")
    with pytest.raises(ValidationError, match="'spark-default': did you mean 'spark-defaults'"):
        PySparkProcessor(livy_url=gateway.url).run(submit_app="broken_app.py", configuration=[
            {"Classification": "spark-default", "Properties": {"spark.executor.memory": "3g"}}])


def test_pyspark_kernel_notebook_under_papermill(gateway, sparkmagic_dir, tmp_path: Path, monkeypatch) -> None:
    prefix = tmp_path / "kernels"
    install_pyspark_kernel(prefix=prefix, env={"SPARKMAGIC_CONF_DIR": str(sparkmagic_dir)})
    monkeypatch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(code) for code in (
        "sc.parallelize(range(10)).sum()",
        "spark.range(4).selectExpr('id', 'id * 10 AS tens').createOrReplaceTempView('tens')",
        "%%sql -o tens_local -q\nSELECT * FROM tens ORDER BY id",
        "%%local\nprint('local rows', len(tens_local), int(tens_local['tens'].sum()))",
        "raise ValueError('spark cell failed')",
        "print('never reached')",
    )]
    nbformat.write(notebook, tmp_path / "kernel.ipynb")
    with pytest.raises(papermill.PapermillExecutionError):
        papermill.execute_notebook(tmp_path / "kernel.ipynb", tmp_path / "out.ipynb", kernel_name="pysparkkernel",
                                   progress_bar=False, cwd=tmp_path, execution_timeout=300)
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    texts = ["".join(o.get("text", "") + o.get("evalue", "") + json.dumps(o.get("data", {})) for o in c.outputs)
             for c in executed.cells if c.cell_type == "code"]  # papermill adds markdown banners
    assert "45" in texts[0]
    assert "local rows 4 60" in texts[3]
    assert "spark cell failed" in texts[4]
    assert texts[5] == ""


# --- the command line ------------------------------------------------------------------

def test_cli_serves_detached_and_configures_sparkmagic(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("JUPYTER_EXT_LIVY_URL", raising=False)
    assert cli(["livy", "serve", "--detach", "--port", "0", "--master", "local[1]", "--csrf"]) == 0
    try:
        url = default_livy_url()
        assert url in capsys.readouterr().out and LivyClient(url).version() == "0.8.0-incubating"
        token = {"Authorization": f"token {gateway_token()}"}
        assert requests.post(f"{url}/batches", json={}, headers=token).json()["msg"].startswith("Missing Required Header")
        assert cli(["livy", "serve", "--port", url.rsplit(":", 1)[1]]) == 1  # the port is taken
        assert "cannot listen on 127.0.0.1:" in capsys.readouterr().err
        config = tmp_path / "sparkmagic" / "config.json"
        assert cli(["livy", "configure", "--config", str(config), "--install-kernel", "--prefix",
                    str(tmp_path / "kernels")]) == 0
        written = json.loads(config.read_text())
        assert written["kernel_python_credentials"]["url"] == url
        assert written["use_auto_viz"] is False and written["all_errors_are_fatal"] is True
        spec = json.loads((tmp_path / "kernels/share/jupyter/kernels/pysparkkernel/kernel.json").read_text())
        assert spec["argv"][0] == sys.executable
    finally:
        assert cli(["livy", "stop"]) == 0
    assert "No detached Livy gateway" in (cli(["livy", "status"]), capsys.readouterr().out)[1]
    assert cli(["livy", "configure", "--url", "localhost", "--config", str(tmp_path / "c.json")]) == 1
    assert "must start with http" in capsys.readouterr().err


# --- magics ----------------------------------------------------------------------------

def test_livy_magics_serve_status_and_stop(ip, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SPARKMAGIC_CONF_DIR", str(tmp_path / "sparkmagic"))
    monkeypatch.delenv("JUPYTER_EXT_LIVY_URL", raising=False)
    cluster = '{"kernel_python_credentials": {"url": "http://cluster:8998"}}'
    (tmp_path / "sparkmagic").mkdir()
    (tmp_path / "sparkmagic" / "config.json").write_text(cluster)
    ip.run_line_magic("livy", "serve --master local[1] --conf spark.ui.enabled=false")
    url = ip.user_ns["livy_url"]
    assert os.environ["JUPYTER_EXT_LIVY_URL"] == url and default_livy_url() == url
    written = json.loads((tmp_path / "sparkmagic" / "config.json").read_text())
    assert written["kernel_python_credentials"]["url"] == url and written["use_auto_viz"] is False
    ip.run_line_magic("livy", "status")
    assert f"Livy 0.8.0-incubating at {url}: 0 session(s), 0 batch(es)" in capsys.readouterr().out
    with pytest.raises(ValidationError, match="already serves"):
        ip.run_line_magic("livy", "serve")
    ip.run_line_magic("livy", "stop")
    assert (tmp_path / "sparkmagic" / "config.json").read_text() == cluster  # as it was before serve
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/version", timeout=5)
    with pytest.raises(ValidationError, match="No gateway runs"):
        ip.run_line_magic("livy", "stop")
