"""sparkmagic set up for a Livy URL: its `config.json` with settings that make
unattended (papermill) runs behave and, for our gateway, its token; and its PySpark
wrapper kernel installed for this Python.

The token reaches the gateway two ways, both for that URL only: the wrapper kernels'
credentials (Basic auth, the token as password), and a requests adapter sparkmagic mounts
for the URL (`http_session_config`), which covers `%spark add -u URL` without `-a/-p`.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

from ..errors import ValidationError
from .tokens import token_for

__all__ = ["sparkmagic_config_path", "configure_sparkmagic", "install_pyspark_kernel", "HEADLESS_SETTINGS",
           "GatewayTokenAdapter", "TOKEN_USERNAME"]

TOKEN_USERNAME = "jupyter_ext"  # the Basic auth user name sent with the token (the gateway ignores it)
_ADAPTER = f"{__name__}.GatewayTokenAdapter"

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


class GatewayTokenAdapter(HTTPAdapter):
    """The requests adapter sparkmagic mounts for our gateway's URL: it adds the gateway's
    token to requests that carry no credentials of their own."""

    def send(self, request: PreparedRequest, **options: Any) -> Response:  # type: ignore[override]
        """Send `request`, with the token when it has no Authorization header."""
        if "Authorization" not in request.headers:
            token = token_for(request.url or "")
            if token:
                request.headers["Authorization"] = f"token {token}"
        return super().send(request, **options)


def _credentials(url: str, username: str | None, password: str | None) -> dict[str, Any]:
    if bool(username) != bool(password):
        raise ValidationError("Give both --username and --password for Basic auth, or neither.")
    if not url.startswith(("http://", "https://")):
        raise ValidationError(f"Livy URL {url!r} must start with http:// or https://.")
    if not username:
        token = token_for(url)
        username, password = (TOKEN_USERNAME, token) if token else (None, None)
    # The plain password too: sparkmagic's %manage_spark widget reads it, not base64_password,
    # and fails to load with Basic auth and an empty one. The file is this user's only.
    credentials: dict[str, Any] = {"url": url, "auth": "Basic_Access" if username else "None",
                                   "username": username or "", "password": password or ""}
    if password:
        credentials["base64_password"] = base64.b64encode(password.encode()).decode()
    return credentials


def configure_sparkmagic(url: str, path: str | Path | None = None, headless: bool = True,
                         username: str | None = None, password: str | None = None) -> Path:
    """Point sparkmagic's config at the Livy `url` and return the config's path.

    Settings already in the file are kept unless we set them; with `headless` (the
    default) errors are fatal and auto-visualisation is off, so papermill runs fail on a
    failed Spark cell instead of hanging or passing. When `url` is our gateway its token
    is written too (the file is readable by this user only).
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
    config["http_session_config"] = _adapters(config.get("http_session_config"), url.rstrip("/"))
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".config-")
    with os.fdopen(handle, "w") as file:
        json.dump(config, file, indent=2)
    os.replace(temporary, target)
    return target


def _adapters(session_config: Any, url: str) -> dict[str, Any]:
    """sparkmagic's `http_session_config` with our adapter mounted for `url` only, when
    it is our gateway (earlier mounts of ours dropped, the user's own kept)."""
    config = dict(session_config) if isinstance(session_config, dict) else {}
    kept = [a for a in config.get("adapters", []) if not (isinstance(a, dict) and a.get("adapter") == _ADAPTER)]
    # The slash keeps http://127.0.0.1:8998/ from matching http://127.0.0.1:89980.
    ours = [{"prefix": f"{url}/", "adapter": _ADAPTER}] if token_for(url) else []
    return {**config, "adapters": kept + ours}


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
