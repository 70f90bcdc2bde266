"""The hostile page: this file plays a web page the user happens to open (a foreign
`Origin`, a `text/plain` body sent with `fetch(..., {mode: "no-cors"})`, a `Host` it
reached us by through DNS rebinding, no token) against every server we start, and
checks each refuses it while our own clients keep working.

One section per server, each in functions of its own (`test_livy_...`, ...).
"""

from __future__ import annotations

import base64
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from jupyter_ext.cli import main as cli
from jupyter_ext.spark import LivyClient, LivyGateway, configure_sparkmagic, gateway_token, token_file, token_for
from jupyter_ext.spark.livy_requests import local_file
from jupyter_ext.spark.tokens import TOKEN_VARIABLE

EVIL = "http://evil.example"

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
