"""Session-wide Spark fixtures: one Livy gateway (local[1]) and one pyspark session on it,
opened with sparkmagic's own client classes, shared by the Spark tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_ext.spark import LivyGateway, configure_sparkmagic
from jupyter_ext.spark.tokens import TOKEN_VARIABLE

FAST_SPARK = {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "1",
              "spark.driver.memory": "512m"}


@pytest.fixture(scope="session")
def sparkmagic_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private sparkmagic config folder (never the user's ~/.sparkmagic)."""
    folder = tmp_path_factory.mktemp("sparkmagic")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPARKMAGIC_CONF_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory, sparkmagic_dir: Path) -> Iterator[LivyGateway]:
    """The embedded gateway on a free loopback port; batches may run files under the tests' temp folders.

    It outlives the home of the test that started it, so its token is given to the clients
    of later tests (and their jobs) as a user of another home would: $JUPYTER_EXT_LIVY_TOKEN.
    """
    base = tmp_path_factory.getbasetemp()
    server = LivyGateway(port=0, master="local[1]", conf=FAST_SPARK, allowed_folders=[base],
                         work_dir=base / "livy-gateway").start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(TOKEN_VARIABLE, server.token or "")
        configure_sparkmagic(server.url)
        yield server
    server.stop()


@pytest.fixture(scope="session")
def sparkmagic_session(gateway: LivyGateway) -> Iterator[Any]:
    """A pyspark session started by sparkmagic's LivySession (its real create/poll flow)."""
    # Imported only now: sparkmagic reads $SPARKMAGIC_CONF_DIR/config.json written by `gateway`.
    from sparkmagic.livyclientlib.endpoint import Endpoint
    from sparkmagic.livyclientlib.livyreliablehttpclient import LivyReliableHttpClient
    from sparkmagic.livyclientlib.livysession import LivySession

    http = LivyReliableHttpClient.from_endpoint(Endpoint(gateway.url, None))
    session = LivySession(http, {"kind": "pyspark"}, _QuietDisplay(), heartbeat_timeout=0)
    session.start()
    yield session
    session.delete()


class _QuietDisplay:
    """sparkmagic's display interface, keeping what it shows (tests read it)."""

    def __init__(self) -> None:
        self.shown: list[str] = []

    def _keep(self, *values: Any) -> None:
        self.shown.extend(str(v) for v in values)

    display = html = stderr_flush = stdout_flush = write = writeln = send_error = _keep
    display_dataframe = _keep
