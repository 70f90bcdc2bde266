"""Where lifecycle scripts come from, and the settings they run with.

Scripts live either in a folder (`on-create.sh`, `on-start.sh`; default: `lifecycle/`
in the jupyter_ext home) or in a named lifecycle configuration kept in the store, as
SageMaker keeps NotebookInstanceLifecycleConfigs. Each script holds 1 to 16,384
characters and runs for at most the time limit (300 s unless configured).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConflictError, NotFoundError, ValidationError
from ..models import LifecycleConfig, timestamp
from ..store import get_store, home
from . import records

__all__ = [
    "HOOKS",
    "MAX_SCRIPT_CHARACTERS",
    "DEFAULT_TIME_LIMIT",
    "Script",
    "LifecycleSettings",
    "lifecycle_settings",
    "configure_lifecycle",
    "check_hook",
    "resolve_script",
    "create_lifecycle_config",
    "describe_lifecycle_config",
    "list_lifecycle_configs",
    "delete_lifecycle_config",
]

HOOKS = ("on-create", "on-start")
MAX_SCRIPT_CHARACTERS = 16_384
DEFAULT_TIME_LIMIT = 300
_CONFIG_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Script:
    """One hook's script, ready to run: its text, and the file it came from (None for a
    named configuration's script, which the runner writes out itself)."""

    hook: str
    source: str
    content: str
    path: Path | None


@dataclass(frozen=True)
class LifecycleSettings:
    """Where scripts come from (`folder`, or `config_name` when a named configuration is
    chosen), the time limit in seconds, and environment variables added for the scripts."""

    folder: Path
    config_name: str | None
    time_limit: int
    environment: dict[str, str]

    @property
    def source(self) -> str:
        """`config:NAME` or the folder's path."""
        return f"config:{self.config_name}" if self.config_name else str(self.folder)


def _default_folder() -> Path:
    return home() / "lifecycle"


def lifecycle_settings() -> LifecycleSettings:
    """The current settings (defaults where nothing was configured)."""
    values = records.read_settings(get_store())
    folder = Path(values["folder"]) if values.get("folder") else _default_folder()
    return LifecycleSettings(folder, values.get("config_name"), int(values.get("time_limit", DEFAULT_TIME_LIMIT)),
                             dict(values.get("environment", {})))


def _check_time_limit(time_limit: Any) -> int:
    if isinstance(time_limit, bool) or not isinstance(time_limit, (int, float)) or not 1 <= time_limit <= 86_400:
        raise ValidationError(f"time_limit must be a number of seconds from 1 to 86400; got {time_limit!r} "
                              f"(SageMaker's limit, and our default, is {DEFAULT_TIME_LIMIT}).")
    return int(time_limit)


def _check_environment(environment: Any) -> dict[str, str]:
    if not isinstance(environment, dict):
        raise ValidationError("environment must be a dict of NAME -> value.")
    for name, value in environment.items():
        if not isinstance(name, str) or not _ENV_NAME.fullmatch(name) or not isinstance(value, str):
            raise ValidationError(f"Environment variable {name!r}={value!r} is not valid: names are letters, "
                                  "digits and underscores (not starting with a digit); values are strings.")
    return dict(environment)


def configure_lifecycle(folder: str | os.PathLike[str] | None = None, config_name: str | None = None,
                        time_limit: int | None = None, environment: dict[str, str] | None = None,
                        use_default_folder: bool = False) -> LifecycleSettings:
    """Change the settings; arguments left as None keep their value.

    `folder` (which must exist) or `config_name` (a named configuration) chooses where
    scripts come from; `use_default_folder` goes back to `lifecycle/` in the home.
    `environment` replaces the variables added for scripts. Raises ValidationError or
    NotFoundError naming the bad value.
    """
    if folder is not None and config_name is not None:
        raise ValidationError("Give folder or config_name, not both: scripts come from one place.")
    updates: dict[str, Any] = {}
    if folder is not None:
        path = Path(folder).expanduser().resolve()
        if not path.is_dir():
            raise NotFoundError(f"Lifecycle folder {path} does not exist; create it and put on-create.sh "
                                "and/or on-start.sh in it (examples: lifecycle/ in the jupyter_ext repository).")
        updates.update(folder=str(path), config_name=None)
    if config_name is not None:
        describe_lifecycle_config(config_name)
        updates.update(config_name=config_name)
    if use_default_folder:
        updates.update(folder=None, config_name=None)
    if time_limit is not None:
        updates["time_limit"] = _check_time_limit(time_limit)
    if environment is not None:
        updates["environment"] = _check_environment(environment)
    records.write_settings(get_store(), updates)
    return lifecycle_settings()


def _check_content(content: str, where: str) -> str:
    if not isinstance(content, str) or not content.strip():
        raise ValidationError(f"{where} is empty; a lifecycle script holds 1 to {MAX_SCRIPT_CHARACTERS:,} characters.")
    if len(content) > MAX_SCRIPT_CHARACTERS:
        raise ValidationError(
            f"{where} has {len(content):,} characters; a lifecycle script holds at most "
            f"{MAX_SCRIPT_CHARACTERS:,} (SageMaker's limit). Move the long part into a file the script runs.")
    return content


def _folder_script(hook: str, folder: Path) -> Script | None:
    path = folder / f"{hook}.sh"
    if not path.exists():
        return None
    if not path.is_file():
        raise ValidationError(f"The {hook} script {path} is not a file; make it a shell script.")
    if not os.access(path, os.X_OK):
        raise ValidationError(f"The {hook} script {path} is not executable; run `chmod +x {path}`.")
    content = path.read_text(encoding="utf-8", errors="replace")
    return Script(hook, str(path), _check_content(content, f"The {hook} script {path}"), path)


def check_hook(hook: str) -> str:
    """`hook` if it is on-create or on-start, else ValidationError listing both."""
    if hook not in HOOKS:
        raise ValidationError(f"Unknown lifecycle hook {hook!r}; choose one of: {', '.join(HOOKS)}.")
    return hook


def resolve_script(hook: str, settings: LifecycleSettings | None = None) -> Script | None:
    """The script `hook` runs under `settings` (default: the current ones), or None when
    there is none. Raises ValidationError for a script that cannot run (not executable,
    empty, over 16,384 characters) and NotFoundError for a missing named configuration."""
    check_hook(hook)
    settings = settings or lifecycle_settings()
    if settings.config_name is None:
        return _folder_script(hook, settings.folder)
    config = describe_lifecycle_config(settings.config_name)
    content = config.on_create if hook == "on-create" else config.on_start
    return None if content is None else Script(hook, f"config:{config.name}", content, None)


def _config_record(row: Any) -> LifecycleConfig:
    return LifecycleConfig(row["name"], row["on_create"], row["on_start"], timestamp(row["created_at"]),
                           timestamp(row["last_modified"]))


def create_lifecycle_config(name: str, on_create: str | None = None, on_start: str | None = None,
                            overwrite: bool = False) -> LifecycleConfig:
    """Store a named lifecycle configuration (the scripts' text, not file names).

    Names follow SageMaker's rule (1-63 letters, digits, hyphens); each script holds 1 to
    16,384 characters. An existing name raises ConflictError unless `overwrite`.
    """
    if not isinstance(name, str) or not _CONFIG_NAME.fullmatch(name):
        raise ValidationError(f"Lifecycle configuration name {name!r} is not valid: use 1 to 63 letters, "
                              "digits and hyphens, starting and ending with a letter or digit.")
    if on_create is None and on_start is None:
        raise ValidationError("A lifecycle configuration needs an on_create or an on_start script (or both).")
    for hook, content in (("on-create", on_create), ("on-start", on_start)):
        if content is not None:
            _check_content(content, f"The {hook} script of {name}")
    records.save_config(get_store(), name, on_create, on_start, overwrite)
    return describe_lifecycle_config(name)


def describe_lifecycle_config(name: str) -> LifecycleConfig:
    """The named configuration; NotFoundError lists the ones there are."""
    row = records.config_row(get_store(), name)
    if row is None:
        known = ", ".join(c.name for c in list_lifecycle_configs()) or "none yet"
        raise NotFoundError(f"No lifecycle configuration named {name!r} (there are: {known}); "
                            "create it with create_lifecycle_config or `jupyter-ext lifecycle create-config`.")
    return _config_record(row)


def list_lifecycle_configs() -> list[LifecycleConfig]:
    """Every named configuration, by name."""
    return [_config_record(row) for row in records.config_rows(get_store())]


def delete_lifecycle_config(name: str) -> None:
    """Remove a named configuration; ConflictError if it is the one in use."""
    describe_lifecycle_config(name)
    if lifecycle_settings().config_name == name:
        raise ConflictError(f"Lifecycle configuration {name} is in use; choose another source first "
                            "(configure_lifecycle(folder=...) or `jupyter-ext lifecycle configure --default-folder`).")
    records.delete_config(get_store(), name)
