"""The hostile page: this file plays a web page the user happens to open (a foreign
`Origin`, a `text/plain` body sent with `fetch(..., {mode: "no-cors"})`, a `Host` it
reached us by through DNS rebinding, no token) against every server we start, and
checks each refuses it while our own clients keep working.

One section per server: the Livy gateway, model endpoints (with archive bombs and
malformed payloads), and the Jupyter server extension's routes.
"""

from __future__ import annotations

import base64
import io
import json
import os
import stat
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import requests
from conftest import wait_until
from serving_models import sklearn_model
from tornado.httpclient import HTTPClientError

from jupyter_ext import Estimator
from jupyter_ext.cli import main as cli
from jupyter_ext.errors import ValidationError
from jupyter_ext.serving import (
    Model,
    Predictor,
    delete_endpoint,
    describe_endpoint,
    endpoint_token,
    invoke_endpoint,
    list_endpoints,
)
from jupyter_ext.serving.archives import DEFAULT_MAX_MODEL_SIZE, max_model_size, unpack
from jupyter_ext.spark import (
    LivyClient,
    LivyGateway,
    configure_sparkmagic,
    gateway_token,
    token_file,
    token_for,
)
from jupyter_ext.spark.livy_requests import local_file
from jupyter_ext.spark.tokens import TOKEN_VARIABLE

EVIL = "http://evil.example"
pytest_plugins = ["pytest_jupyter.jupyter_server"]

# --- the Livy gateway ------------------------------------------------------------------
# No Spark starts here: every request is refused, or answered, before a driver would run.


@pytest.fixture
def livy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LivyGateway]:
    """A gateway with its defaults, allowed to run files under `tmp_path/allowed` only."""
    monkeypatch.delenv(TOKEN_VARIABLE, raising=False)
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    with LivyGateway(port=0, master="local[1]", allowed_folders=[allowed]) as gateway:
        yield gateway


def _ours(gateway: LivyGateway) -> dict[str, str]:
    """The headers our clients send."""
    return {"Authorization": f"token {gateway.token}", "X-Requested-By": "jupyter_ext"}


def _sessions(gateway: LivyGateway) -> int:
    return LivyClient(gateway.url).request("GET", "/sessions")["total"]


def test_livy_refuses_a_foreign_pages_no_cors_post(livy) -> None:
    hostile = {"Content-Type": "text/plain;charset=UTF-8", "Origin": EVIL}
    for path in ("/sessions", "/batches", "/sessions/0/statements"):
        answer = requests.post(f"{livy.url}{path}", data='{"kind": "pyspark"}', headers=hostile)
        assert answer.status_code == 403, path
        assert "evil.example may not call this Livy gateway" in answer.json()["msg"]
    # Even with the token (a page cannot know it, but a leaked one): the origin is refused.
    stolen = requests.post(f"{livy.url}/sessions", json={"kind": "pyspark"}, headers={**_ours(livy), "Origin": EVIL})
    assert stolen.status_code == 403
    assert _sessions(livy) == 0
    own = requests.get(f"{livy.url}/version", headers={**_ours(livy), "Origin": livy.url})
    assert own.status_code == 200  # the gateway's own origin may


def test_livy_refuses_an_unknown_host(livy) -> None:
    rebound = requests.get(f"{livy.url}/sessions", headers={"Host": f"evil.example:{livy.port}"})
    assert rebound.status_code == 403 and f"not to Host 'evil.example:{livy.port}'" in rebound.json()["msg"]
    with_token = requests.post(f"{livy.url}/sessions", json={"kind": "pyspark"},
                               headers={**_ours(livy), "Host": "evil.example"})
    assert with_token.status_code == 403 and _sessions(livy) == 0
    for name in ("127.0.0.1", "localhost", "[::1]"):
        answer = requests.get(f"{livy.url}/version", headers={**_ours(livy), "Host": f"{name}:{livy.port}"})
        assert answer.status_code == 200, name


def test_livy_without_the_token_is_401_naming_how_to_get_it(livy) -> None:
    for headers in ({}, {"Authorization": "token wrong"}, {"Authorization": "Bearer wrong"},
                    {"Authorization": "Basic " + base64.b64encode(b"me:wrong").decode()}):
        answer = requests.get(f"{livy.url}/sessions", headers=headers)
        assert answer.status_code == 401, headers
        message = answer.json()["msg"]
        assert "`jupyter-ext livy token`" in message and str(token_file()) in message
    created = requests.post(f"{livy.url}/sessions", json={"kind": "pyspark"}, headers={"X-Requested-By": "x"})
    assert created.status_code == 401 and _sessions(livy) == 0


def test_livy_accepts_the_token_as_sparkmagic_pylivy_and_our_client_send_it(livy) -> None:
    token = livy.token
    assert token and token == gateway_token()
    for authorization in (f"token {token}", f"Bearer {token}",
                          "Basic " + base64.b64encode(f"jupyter_ext:{token}".encode()).decode()):
        assert requests.get(f"{livy.url}/sessions", headers={"Authorization": authorization}).status_code == 200
    assert requests.get(f"{livy.url}/sessions", auth=("anyone", token)).json()["total"] == 0
    assert LivyClient(livy.url).version() == "0.8.0-incubating"  # found the token itself


def test_livy_changing_requests_need_x_requested_by(livy, tmp_path: Path) -> None:
    token = {"Authorization": f"token {livy.token}"}
    refused = requests.post(f"{livy.url}/batches", json={}, headers=token)
    assert refused.status_code == 400 and refused.json()["msg"].startswith("Missing Required Header")
    assert requests.delete(f"{livy.url}/sessions/0", headers=token).status_code == 400
    with LivyGateway(port=0, csrf=False, allowed_folders=[tmp_path]) as relaxed:
        answer = requests.post(f"{relaxed.url}/batches", json={}, headers={"Authorization": f"token {relaxed.token}"})
        assert answer.json() == {"msg": "Rejected, Reason: requirement failed: File is required."}


def test_livy_token_is_kept_private_and_printed_by_the_cli(livy, capsys) -> None:
    path = token_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == livy.token
    with LivyGateway(port=0) as second:
        assert second.token == livy.token  # one token per home, generated once
    assert cli(["livy", "token"]) == 0 and capsys.readouterr().out.strip() == livy.token


def test_livy_no_auth_warns_and_still_refuses_foreign_pages(tmp_path: Path, capsys) -> None:
    with LivyGateway(port=0, auth=False, allowed_folders=[tmp_path]) as open_gateway:
        assert "WARNING: the Livy gateway runs without a token" in capsys.readouterr().err
        assert open_gateway.token is None
        assert requests.get(f"{open_gateway.url}/sessions").json()["total"] == 0
        hostile = requests.post(f"{open_gateway.url}/sessions", data='{"kind": "pyspark"}',
                                headers={"Content-Type": "text/plain", "Origin": EVIL})
        assert hostile.status_code == 403
        no_header = requests.post(f"{open_gateway.url}/sessions", data='{"kind": "pyspark"}',
                                  headers={"Content-Type": "text/plain"})
        assert no_header.status_code == 400 and "CSRF" in no_header.json()["msg"]


def test_livy_clients_send_the_token_to_our_gateway_only(livy, tmp_path: Path) -> None:
    port = livy.port
    assert token_for(livy.url) == token_for(f"http://localhost:{port}") == livy.token
    assert token_for(f"http://cluster.example:{port}") is None  # another machine, same port
    assert token_for("http://127.0.0.1:9") is None
    config = configure_sparkmagic(livy.url, tmp_path / "ours.json")
    written = json.loads(config.read_text())
    credentials = written["kernel_python_credentials"]
    assert credentials["auth"] == "Basic_Access" and base64.b64decode(credentials["base64_password"]).decode() == livy.token
    assert written["http_session_config"]["adapters"] == [
        {"prefix": f"{livy.url}/", "adapter": "jupyter_ext.spark.sparkmagic.GatewayTokenAdapter"}]
    assert stat.S_IMODE(os.stat(config).st_mode) == 0o600
    cluster = json.loads(configure_sparkmagic("http://cluster.example:8998", tmp_path / "ours.json").read_text())
    assert cluster["kernel_python_credentials"]["auth"] == "None" and "base64_password" not in cluster["kernel_python_credentials"]
    assert cluster["http_session_config"]["adapters"] == []
    livy.stop()
    assert token_for(livy.url) is None  # a stopped gateway is forgotten


def test_livy_sparkmagic_sends_the_token_through_its_adapter(livy) -> None:
    from jupyter_ext.spark.sparkmagic import GatewayTokenAdapter

    http = requests.Session()
    http.mount(f"{livy.url}/", GatewayTokenAdapter())  # what sparkmagic does with http_session_config
    assert http.get(f"{livy.url}/sessions").json()["total"] == 0
    assert requests.get(f"{livy.url}/sessions").status_code == 401


def test_livy_files_must_really_be_in_an_allowed_folder(livy, tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("print('ran outside')\n")
    link = tmp_path / "allowed" / "inside.py"
    link.symlink_to(outside)

    def post(body: dict) -> requests.Response:
        return requests.post(f"{livy.url}/batches", json=body, headers=_ours(livy))

    escaped = post({"file": str(link)})
    assert escaped.status_code == 400 and "not under an allowed folder" in escaped.json()["msg"]
    (tmp_path / "allowed" / "app.py").write_text("print('inside')\n")
    app = str(tmp_path / "allowed" / "app.py")
    for field in ("pyFiles", "jars", "files", "archives"):
        linked = post({"file": app, field: [str(link)]})
        assert linked.status_code == 400 and "not under an allowed folder" in linked.json()["msg"], field
    comma = post({"file": app, "pyFiles": [f"{tmp_path / 'allowed' / 'dep.py'},{outside}"]})
    assert comma.status_code == 400 and "holds a comma" in comma.json()["msg"]
    remote = post({"file": app, "jars": [f"hdfs:///lib/a.jar,{outside}"]})
    assert remote.status_code == 400 and "holds a comma" in remote.json()["msg"]
    session = requests.post(f"{livy.url}/sessions", json={"kind": "pyspark", "pyFiles": [str(link)]}, headers=_ours(livy))
    assert session.status_code == 400 and _sessions(livy) == 0
    assert not livy.batches
    # A link that stays inside is fine: what runs is the file it names, the one checked.
    (tmp_path / "allowed" / "alias.py").symlink_to(tmp_path / "allowed" / "app.py")
    assert local_file(f"file://{tmp_path}/allowed/alias.py", livy.allowed, "file") == os.path.realpath(app)


def test_livy_deeply_nested_json_is_a_400_and_the_gateway_stays_up(livy) -> None:
    for body in ("[" * 100_000 + "]" * 100_000, '{"conf": ' * 100_000 + "1" + "}" * 100_000):
        answer = requests.post(f"{livy.url}/sessions", data=body,
                               headers={**_ours(livy), "Content-Type": "application/json"})
        assert answer.status_code == 400 and "not valid JSON" in answer.json()
    assert LivyClient(livy.url).version() == "0.8.0-incubating"


# --- model endpoints -------------------------------------------------------------------

MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def _no_endpoint_left(home: Path):
    """A failed test leaves no server process behind."""
    yield
    for endpoint in list_endpoints():
        delete_endpoint(endpoint.name)


def _message(response: httpx.Response) -> str:
    return response.json()["Message"]


def test_a_hostile_page_is_refused_and_our_clients_carry_the_token(tmp_path: Path, capsys) -> None:
    archive, _local = sklearn_model(tmp_path / "sk")
    predictor = Model(str(archive)).deploy("guarded")
    described = describe_endpoint("guarded")
    url, port, token = described.url, described.port, endpoint_token("guarded")
    bearer = {"Authorization": f"Bearer {token}"}
    row = b"0.9,0.9,0.1"

    # What a page's fetch(..., {mode: "no-cors"}) sends: text/plain, its own Origin.
    page = httpx.post(f"{url}/invocations", content=row, headers={"Content-Type": "text/plain",
                                                                  "Origin": "http://evil.example"})
    assert page.status_code == 403 and "Cross-site request from 'http://evil.example' refused" in _message(page)
    # DNS rebinding: evil.example resolves to 127.0.0.1; the Host header still says evil.example.
    for path, method in (("/ping", "GET"), ("/invocations", "POST")):
        rebound = httpx.request(method, f"{url}{path}", content=row if method == "POST" else None,
                                headers={"Host": f"evil.example:{port}", "Content-Type": "text/csv", **bearer})
        assert rebound.status_code == 403 and "is not this endpoint's address" in _message(rebound)

    anonymous = httpx.post(f"{url}/invocations", content=row, headers={"Content-Type": "text/csv"})
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    assert "jupyter-ext endpoints token guarded" in _message(anonymous)
    wrong = httpx.post(f"{url}/invocations", content=row, headers={"Content-Type": "text/csv",
                                                                   "Authorization": f"Bearer {token[:-1]}x"})
    assert wrong.status_code == 401
    for host in ("127.0.0.1", "localhost", "[::1]"):
        allowed = httpx.post(f"{url}/invocations", content=row, headers={"Host": f"{host}:{port}",
                                                                         "Content-Type": "text/csv", **bearer})
        assert (allowed.status_code, allowed.json()) == (200, [1])
    assert httpx.get(f"{url}/ping").status_code == 200  # health checks need no token

    assert predictor.predict([[0.9, 0.9, 0.1]]) == [1] and Predictor("guarded").predict([[0.1, 0.1, 0.1]]) == [0]
    assert invoke_endpoint("guarded", "0.9,0.9,0.1", "text/csv").status_code == 200
    assert cli(["endpoints", "token", "guarded"]) == 0 and capsys.readouterr().out.strip() == token

    folder = Path(described.endpoint_dir)
    assert stat.S_IMODE((folder / "invoke-token").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for what in ("cmdline", "environ"):  # the server read it from its file
        assert token.encode() not in Path(f"/proc/{described.pid}/{what}").read_bytes()


def _zeros(size: int) -> io.RawIOBase:
    class Zeros(io.RawIOBase):
        left = size

        def readinto(self, buffer) -> int:
            count = min(len(buffer), self.left)
            buffer[:count] = bytes(count)
            self.left -= count
            return count

    return Zeros()


def _archive_with_padding(folder: Path, padding: int) -> Path:
    """model.joblib beside `padding` bytes of zeros, in a model.tar.gz of a few hundred KB."""
    archive, _local = sklearn_model(folder)
    padded = folder / "padded.tar.gz"
    with tarfile.open(padded, "w:gz") as tar:
        tar.add(folder / "model.joblib", arcname="model.joblib")
        member = tarfile.TarInfo("weights.bin")
        member.size = padding
        tar.addfile(member, _zeros(padding))
    return padded


def test_an_archive_bomb_is_refused_before_it_is_written(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("JUPYTER_EXT_MAX_MODEL_SIZE", raising=False)
    assert max_model_size() == DEFAULT_MAX_MODEL_SIZE == 10 * 1024 ** 3
    bomb = _archive_with_padding(tmp_path / "bomb", 64 * MiB)
    assert bomb.stat().st_size < MiB
    monkeypatch.setenv("JUPYTER_EXT_MAX_MODEL_SIZE", "16MiB")
    with pytest.raises(ValidationError, match=r"unpacks to more than 16 MiB, the limit on unpacked models.*"
                                              r"JUPYTER_EXT_MAX_MODEL_SIZE=20GiB"):
        Model(str(bomb)).deploy("bomb")
    models = Path(describe_endpoint("bomb").endpoint_dir) / "models"
    assert sum(p.stat().st_size for p in models.rglob("*") if p.is_file()) == 0  # nothing of it is left
    with pytest.raises(ValidationError, match="is not a size"):
        monkeypatch.setenv("JUPYTER_EXT_MAX_MODEL_SIZE", "lots")
        max_model_size()


def test_links_out_of_the_archive_are_refused(tmp_path: Path) -> None:
    sklearn_model(tmp_path / "sk")
    for name, target in (("relative", "../../outside.txt"), ("absolute", "/etc/passwd")):
        archive = tmp_path / f"{name}.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(tmp_path / "sk" / "model.joblib", arcname="model.joblib")
            link = tarfile.TarInfo("data.csv")
            link.type, link.linkname = tarfile.SYMTYPE, target
            tar.addfile(link)
        with pytest.raises(ValidationError, match=f"{name}.tar.gz cannot be unpacked safely: 'data.csv'"):
            unpack(str(archive), tmp_path / "unpacked" / name)
        assert not (tmp_path / "unpacked" / name).exists()


def test_delete_removes_what_the_endpoint_unpacked(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("JUPYTER_EXT_MAX_MODEL_SIZE", "16MiB")
    archive = _archive_with_padding(tmp_path / "big", 20 * MiB)
    # The limit raised as the refusal says, for this model alone.
    predictor = Model(str(archive), env={"JUPYTER_EXT_MAX_MODEL_SIZE": "64MiB"}).deploy("big")
    assert predictor.predict([[0.9, 0.9, 0.1]]) == [1]
    folder = Path(describe_endpoint("big").endpoint_dir)
    unpacked = [p for p in (folder / "models").rglob("*") if p.is_file()]
    assert {p.name for p in unpacked} == {"model.joblib", "weights.bin"}
    predictor.delete_endpoint()
    assert not (folder / "models").exists() and not (folder / "invoke-token").exists()
    assert (folder / "endpoint.log").exists()  # the log outlives the endpoint


BAD_PAYLOADS = [
    (b"[[NaN, 0.2, 0.3, 0.4]]", "application/json", "NaN is not a JSON value"),
    (b"[[Infinity, 0.2, 0.3, 0.4]]", "application/json", "Infinity is not a JSON value"),
    (b"[[1e400, 0.2, 0.3, 0.4]]", "application/json", "1e400 is out of a float's range"),
    (b"nan,0.2,0.3,0.4", "text/csv", "'nan' on line 1 is not a finite number"),
    (b"0.1,0.2,0.3,0.4\n0.1,inf,0.3,0.4", "text/csv", "'inf' on line 2 is not a finite number"),
    (b"a,b,c,d", "text/csv", "The model cannot take these records: ValueError"),
    (b",,,", "text/csv", "The model cannot take these records"),
    (b'[[1, "a", true, null]]', "application/json", "The model cannot take these records"),
    (b"[[1, 2, 3, 4], [1, 2]]", "application/json", "The model cannot take these records"),
    (b"\xef\xbb\xbf0.1,0.2,0.3,0.4", "text/csv", "byte order mark"),
    (b"0.1,0.2\x00,0.3,0.4", "text/csv", "NUL byte (at byte 7)"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json", "nested too deeply"),
]


def test_bad_payloads_are_400s_that_count_as_4xx(tmp_path: Path) -> None:
    archive, _local = sklearn_model(tmp_path / "sk4", width=4)
    Model(str(archive)).deploy("picky")
    url, bearer = describe_endpoint("picky").url, {"Authorization": f"Bearer {endpoint_token('picky')}"}
    for body, content_type, says in BAD_PAYLOADS:
        response = httpx.post(f"{url}/invocations", content=body, headers={"Content-Type": content_type, **bearer})
        assert response.status_code == 400 and says in _message(response), (body[:40], response.text[:300])
    good = httpx.post(f"{url}/invocations", content=b"0.9,0.9,0.1,0.1", headers={"Content-Type": "text/csv", **bearer})
    assert good.json() == [1]
    variant = wait_until(lambda: (v := describe_endpoint("picky").variants[0]).invocations == 1 and v, what="counts")
    assert (variant.errors_4xx, variant.errors_5xx) == (len(BAD_PAYLOADS), 0)


def test_ping_answers_while_a_large_request_parses(tmp_path: Path) -> None:
    archive, _local = sklearn_model(tmp_path / "sk4", width=4)
    Model(str(archive)).deploy("busy")
    url, bearer = describe_endpoint("busy").url, {"Authorization": f"Bearer {endpoint_token('busy')}"}
    rows = 5 * MiB // 16  # 1.3 million values to parse: about a second's work
    body = b"0.1,0.2,0.3,0.4\n" * rows
    answers: list[httpx.Response] = []
    request = threading.Thread(target=lambda: answers.append(httpx.post(
        f"{url}/invocations", content=body, headers={"Content-Type": "text/csv", **bearer}, timeout=120)))
    pings: list[float] = []
    with httpx.Client(base_url=url, timeout=30) as client:
        assert client.get("/ping").status_code == 200
        request.start()
        time.sleep(0.05)  # the 5 MB body is on its way (loopback: well under this)
        while request.is_alive():
            started = time.perf_counter()
            assert client.get("/ping").status_code == 200
            pings.append(time.perf_counter() - started)
    request.join()
    assert answers[0].status_code == 200 and len(json.loads(answers[0].content)) == rows
    assert pings and max(pings) < 0.5, (len(pings), max(pings, default=None))


# --- the Jupyter server extension's routes ------------------------------------------------

@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}, "tornado_settings": {"jupyter_ext_aws": False}}}


async def _refused(fetch, url: str, **options) -> int:
    with pytest.raises(HTTPClientError) as caught:
        await fetch(url, raise_error=True, **options)
    return caught.value.code


async def test_the_extension_refuses_a_hostile_page(http_server_client, jp_base_url, jp_auth_header, script) -> None:
    est = Estimator(str(script("import time; time.sleep(60)\n")))
    est.fit(wait=False, logs=False)
    job = est.latest_training_job
    stop = jp_base_url + f"jupyter-ext/api/jobs/{job.name}/stop"
    # jupyter_server answers a cross-origin API request 404 and an unauthenticated one 403.
    hostile = {"Origin": "http://evil.example", "Content-Type": "text/plain"}
    assert await _refused(http_server_client.fetch, stop, method="POST", body="{}", headers=hostile) in (403, 404)
    # Even with the token, through a rebinding host name: refused.
    assert await _refused(http_server_client.fetch, jp_base_url + "jupyter-ext/api/jobs",
                          headers={**jp_auth_header, "Host": "evil.example"}) == 403
    assert job.status in ("Pending", "InProgress")  # no stop got through
    job.stop(grace_seconds=0)
