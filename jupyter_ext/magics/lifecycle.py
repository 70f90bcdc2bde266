"""`%lifecycle run [HOOK]|status|logs [RUN]|configure|...`: lifecycle scripts from a
notebook, the verbs of `jupyter-ext lifecycle`. A failed run raises, so a papermill run
fails on that cell."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class

from ..commands.lifecycle import LIFECYCLE
from .dispatch import run_table

__all__ = ["LifecycleMagics"]


@magics_class
class LifecycleMagics(Magics):
    """The %lifecycle magic."""

    @line_magic
    def lifecycle(self, line: str) -> Any:
        """Lifecycle scripts: `%lifecycle status` shows where scripts come from and the
        last runs; `%lifecycle run on-start` runs one now and prints its output (raises if
        it fails); `%lifecycle logs [RUN] [--tail N]` prints a run's output;
        `%lifecycle configure|create-config|delete-config|list-configs` as in
        `jupyter-ext lifecycle` (`%lifecycle VERB -h` lists a verb's options)."""
        return run_table(LIFECYCLE, line, self.shell)
