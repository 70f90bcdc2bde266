"""Registry: the one way an extension point finds its plugins by name.

Every extension point (executors, watchers, job extensions, debugger rules, tuning
strategies, serializers, artifact stores) is a `Registry`: its built-ins first, then
the `importlib.metadata` entry points of its group, and a `get` whose error lists the
valid names. A plugin may be given as a "module:attribute" string, imported on first use,
so naming a plugin costs no import (and makes no import cycle).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator, Mapping
from importlib.metadata import entry_points
from typing import Generic, TypeVar, Union

from .errors import ValidationError

__all__ = ["Registry"]

T = TypeVar("T")


def _resolve(reference: str) -> object:
    module, _, attribute = reference.partition(":")
    value: object = importlib.import_module(module)
    for part in attribute.split(".") if attribute else ():
        value = getattr(value, part)
    return value


class Registry(Generic[T]):
    """Plugins of one kind, keyed by name.

    `what` names the kind in errors ("executor"); `group` is the entry-point group
    third-party packages register under ("jupyter_ext.executors"); `builtins` maps names
    to plugins or "module:attribute" strings; `unknown` is the error for a missing name
    (fields: what, name, names). Registering a name again replaces it. Names are listed
    sorted, or with `sort_names=False` in the order registered (built-ins as given first).
    """

    def __init__(self, what: str, group: str, builtins: Mapping[str, Union[T, str]] | None = None,
                 unknown: str = "Unknown {what} {name!r}; choose one of: {names}.", sort_names: bool = True) -> None:
        self.what, self.group, self.unknown, self.sort_names = what, group, unknown, sort_names
        self._plugins: dict[str, Union[T, str]] = dict(builtins or {})
        self._entry_points_loaded = False
        self._lock = threading.Lock()

    def register(self, name: str, plugin: Union[T, str]) -> None:
        """Make `plugin` (or a "module:attribute" string naming it) available as `name`."""
        with self._lock:
            self._plugins[name] = plugin

    def _load_entry_points(self) -> None:
        with self._lock:
            if self._entry_points_loaded:
                return
            self._entry_points_loaded = True
            for entry in entry_points(group=self.group):
                self._plugins.setdefault(entry.name, entry.value)

    def names(self) -> list[str]:
        """Every available name, sorted (or in registration order: see the class)."""
        self._load_entry_points()
        return sorted(self._plugins) if self.sort_names else list(self._plugins)

    def __contains__(self, name: object) -> bool:
        self._load_entry_points()
        return name in self._plugins

    def get(self, name: str) -> T:
        """The plugin called `name`; ValidationError lists the valid names."""
        if name not in self._plugins:
            self._load_entry_points()
        if name not in self._plugins:
            raise ValidationError(self.unknown.format(what=self.what, name=name, names=", ".join(self.names())))
        plugin = self._plugins[name]
        if isinstance(plugin, str):
            plugin = _resolve(plugin)  # type: ignore[assignment]
            with self._lock:
                self._plugins[name] = plugin
        return plugin  # type: ignore[return-value]

    def items(self) -> Iterator[tuple[str, T]]:
        """(name, plugin) for every plugin, in `names()` order (imports the lazy ones)."""
        for name in self.names():
            yield name, self.get(name)
