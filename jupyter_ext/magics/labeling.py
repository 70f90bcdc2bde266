"""`%label start MANIFEST ...|list|describe NAME|stop NAME|answer NAME FILE`: labeling jobs from a
notebook, the verbs of `jupyter-ext labeling`. A bad answer in a file raises, so a papermill
run fails on that cell."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class

from ..commands.labeling import LABELING
from .dispatch import run_table

__all__ = ["LabelingMagics"]


@magics_class
class LabelingMagics(Magics):
    """The %label magic."""

    @line_magic
    def label(self, line: str) -> Any:
        """Labeling jobs (Ground Truth): `%label start images.manifest --task-type ImageClassification
        --categories cat,dog [--worker me] [--answers answers.jsonl] [--wait]`; `%label list`;
        `%label describe NAME`; `%label stop NAME`; `%label answer NAME answers.jsonl` fills labels
        from a file of answers (`%label VERB -h` lists a verb's options)."""
        return run_table(LABELING, line, self.shell)
