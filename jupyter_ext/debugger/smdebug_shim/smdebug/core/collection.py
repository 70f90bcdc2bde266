"""`smdebug.core.collection`: collections and the built-in collections' names."""

from __future__ import annotations

from jupyter_ext.debugger.config import Collection, CollectionKeys

__all__ = ["Collection", "CollectionKeys"]
