"""The Jupyter server extension's routes against a hostile page: no token, a foreign
Origin, a text/plain body, a rebinding Host."""

from __future__ import annotations

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_ext import Estimator

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}}}


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
