"""The jupyter_server extension is enabled on install and sits behind authentication."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from conftest import free_port, wait_until



def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


@pytest.fixture
def server(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", f"--port={port}", "--ip=127.0.0.1", "--no-browser",
         "--allow-root", "--IdentityProvider.token=secret-token", f"--ServerApp.root_dir={tmp_path}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _get(f"{base}/api/status?token=secret-token")[0] == 200, 60, "the server")
        yield base
    finally:
        process.terminate()
        process.wait(30)


def test_status_route_needs_the_token(server: str, home) -> None:
    status, body = _get(f"{server}/jupyter-ext/api/status?token=secret-token")
    assert status == 200 and json.loads(body) == {"version": "0.1.0", "home": str(home)}
    assert _get(f"{server}/jupyter-ext/api/status")[0] in (401, 403)
