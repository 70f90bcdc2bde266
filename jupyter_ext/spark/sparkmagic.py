"""sparkmagic set up for a Livy URL: its `config.json` with settings that make
unattended (papermill) runs behave, and its PySpark wrapper kernel installed for this
Python."""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ValidationError

__all__ = ["sparkmagic_config_path", "configure_sparkmagic", "install_pyspark_kernel", "HEADLESS_SETTINGS"]

# Why each: a failed Spark cell must fail a papermill run; the auto-visualisation widget
# hangs %%sql under nbclient (sparkmagic #833); a local session takes 15-30 s to start on
# a small machine (sparkmagic #630).
HEADLESS_SETTINGS: dict[str, Any] = {
    "all_errors_are_fatal": True,
    "use_auto_viz": False,
    "livy_session_startup_timeout_seconds": 240,
    "wait_for_idle_timeout_seconds": 60,
    "heartbeat_refresh_seconds": 30,
    "livy_server_heartbeat_timeout_seconds": 300,
    "cleanup_all_sessions_on_exit": True,
    "custom_headers": {"X-Requested-By": "jupyter_ext"},
}


def sparkmagic_config_path() -> Path:
    """`$SPARKMAGIC_CONF_DIR/$SPARKMAGIC_CONF_FILE`, by default `~/.sparkmagic/config.json`."""
    folder = os.environ.get("SPARKMAGIC_CONF_DIR", "~/.sparkmagic")
    return Path(folder).expanduser() / os.environ.get("SPARKMAGIC_CONF_FILE", "config.json")


def _credentials(url: str, username: str | None, password: str | None) -> dict[str, Any]:
    if bool(username) != bool(password):
        raise ValidationError("Give both --username and --password for Basic auth, or neither.")
    if not url.startswith(("http://", "https://")):
        raise ValidationError(f"Livy URL {url!r} must start with http:// or https://.")
    credentials: dict[str, Any] = {"url": url, "auth": "Basic_Access" if username else "None",
                                   "username": username or "", "password": ""}
    if password:
        credentials["base64_password"] = base64.b64encode(password.encode()).decode()
    return credentials


def configure_sparkmagic(url: str, path: str | Path | None = None, headless: bool = True,
                         username: str | None = None, password: str | None = None) -> Path:
    """Point sparkmagic's config at the Livy `url` and return the config's path.

    Settings already in the file are kept unless we set them; with `headless` (the
    default) errors are fatal and auto-visualisation is off, so papermill runs fail on a
    failed Spark cell instead of hanging or passing.
    """
    target = Path(path) if path else sparkmagic_config_path()
    try:
        config = json.loads(target.read_text()) if target.exists() else {}
    except ValueError:
        raise ValidationError(f"{target} is not valid JSON; fix or remove it, then configure again.") from None
    credentials = _credentials(url.rstrip("/"), username, password)
    config.update(kernel_python_credentials=credentials, kernel_scala_credentials=credentials,
                  kernel_r_credentials=credentials)
    if headless:
        config.update(HEADLESS_SETTINGS)
    config.setdefault("custom_headers", {}).setdefault("X-Requested-By", "jupyter_ext")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".config-")
    with os.fdopen(handle, "w") as file:
        json.dump(config, file, indent=2)
    os.replace(temporary, target)
    return target


def install_pyspark_kernel(prefix: str | Path | None = None, user: bool = False,
                           env: dict[str, str] | None = None) -> Path:
    """Install sparkmagic's PySpark wrapper kernel (`pysparkkernel`) for this Python.

    The kernelspec comes from the sparkmagic package folder; its `python` is replaced by
    this interpreter so the kernel runs here. `prefix` installs under
    `<prefix>/share/jupyter/kernels`; `env` adds variables (e.g. SPARKMAGIC_CONF_DIR).
    """
    import sparkmagic
    from jupyter_client.kernelspec import KernelSpecManager

    source = Path(sparkmagic.__file__).parent / "kernels" / "pysparkkernel"
    with tempfile.TemporaryDirectory() as staging:
        spec_dir = Path(staging) / "pysparkkernel"
        shutil.copytree(source, spec_dir, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
        spec = json.loads((spec_dir / "kernel.json").read_text())
        spec["argv"][0] = sys.executable
        if env:
            spec["env"] = {**spec.get("env", {}), **env}
        (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
        installed = KernelSpecManager().install_kernel_spec(
            str(spec_dir), "pysparkkernel", user=user, prefix=None if prefix is None else str(prefix))
    return Path(installed)
