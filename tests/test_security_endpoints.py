"""Endpoints under attack and abuse, as real server processes: a hostile web page (foreign
Origin, text/plain body, DNS rebinding), callers without the token, archive bombs and
links out of the archive, malformed payloads, and a large request beside health checks."""

from __future__ import annotations

import io
import json
import stat
import tarfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import wait_until
from jupyter_ext.cli import main
from jupyter_ext.errors import ValidationError
from jupyter_ext.serving import (
    Model, Predictor, delete_endpoint, describe_endpoint, endpoint_token, invoke_endpoint, list_endpoints,
)
from jupyter_ext.serving.archives import DEFAULT_MAX_MODEL_SIZE, max_model_size, unpack
from serving_models import sklearn_model

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
    assert main(["endpoints", "token", "guarded"]) == 0 and capsys.readouterr().out.strip() == token

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
