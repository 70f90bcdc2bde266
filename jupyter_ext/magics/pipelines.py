"""`%pipeline list|start NAME [-p KEY=VALUE]|executions|describe|stop|retry`: pipelines from a
notebook, the verbs of `jupyter-ext pipelines`. `%pipeline start` waits for the execution
(unless --no-wait) and raises unless it Succeeded, so a papermill run fails on that cell."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class

from ..commands.pipelines import PIPELINES
from .dispatch import run_table

__all__ = ["PipelineMagics"]


@magics_class
class PipelineMagics(Magics):
    """The %pipeline magic."""

    @line_magic
    def pipeline(self, line: str) -> Any:
        """ML pipelines: `%pipeline list`; `%pipeline start NAME -p Threshold=0.8` runs a stored
        pipeline and shows its steps (raises unless it Succeeded; `--no-wait` returns at once);
        `%pipeline executions [NAME]`, `describe EXECUTION`, `stop EXECUTION`, `retry EXECUTION`
        (`%pipeline VERB -h` lists a verb's options)."""
        return run_table(PIPELINES, line, self.shell)
