"""`smdebug.core.modes`: the training phases."""

from __future__ import annotations

from jupyter_ext.debugger.config import ModeKeys, modes

__all__ = ["ModeKeys", "modes"]
