"""Shared fixtures: every test gets its own jupyter_ext home (a fresh store)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# One AWS endpoint per session, shared by every module that asks for `aws` (tests/aws_fixtures.py).
pytest_plugins = ["aws_fixtures"]

# One thread per library in every process the tests start (2-core machines).
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Jobs launched from the tests print as text, as under papermill.
os.environ["JUPYTER_EXT_DISPLAY"] = "text"
# Whatever runs outside a test's own home (collection, session fixtures) uses a scratch home,
# never the user's real one.
os.environ["JUPYTER_EXT_HOME"] = tempfile.mkdtemp(prefix="jupyter-ext-tests-")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private JUPYTER_EXT_HOME, and the test's folder as the working directory."""
    path = tmp_path / "home"
    monkeypatch.setenv("JUPYTER_EXT_HOME", str(path))
    monkeypatch.chdir(tmp_path)
    return path


def wait_until(condition: Callable[[], object], timeout: float = 30.0, what: str = "condition") -> object:
    """Poll `condition` until it is truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def script(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a (dedented) script into the test folder; returns its path."""

    def write(text: str, name: str = "train.py") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    return write


PYTHON = sys.executable


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def taking_turns(tmp_path_factory: pytest.TempPathFactory, what: str, timeout: float = 1200.0) -> Iterator[None]:
    """Hold the suite's turn at `what`: of the pytest-xdist workers, one at a time runs it.
    "ray": starting a Ray cluster (two starting at once on 2 cores time out in Ray's node
    start-up); "jupyter": a Jupyter server with jupyter_ext (each serves the local AWS
    endpoint in its process, on port 4566 when free, and its kernels talk to it)."""
    shared = tmp_path_factory.getbasetemp().parent  # the same folder for every xdist worker
    with open(shared / f"{what}.lock", "w") as lock:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(f"another worker held the {what} turn for over {timeout} s")
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """Keep each phase's report on the test item (browser tests screenshot failures)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# The longest modules start first, so that `make test` (pytest-xdist, a module at a time per
# worker) does not end with one worker alone on one of them.
LONGEST_MODULES = ("test_notebooks.py", "test_automl.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest modules first; browser tests last (they start their own JupyterLab and Chromium)."""
    def order(item: pytest.Item) -> tuple[int, bool]:
        module = item.path.name
        rank = LONGEST_MODULES.index(module) if module in LONGEST_MODULES else len(LONGEST_MODULES)
        return rank, "test_sidebar" in item.nodeid
    items.sort(key=order)


@pytest.fixture(scope="session")
def ip():
    """One in-process IPython shell with `%load_ext jupyter_ext` done."""
    import IPython
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython() or IPython.get_ipython()
    shell.run_line_magic("load_ext", "jupyter_ext")
    return shell
