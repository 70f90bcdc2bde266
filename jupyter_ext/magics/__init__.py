"""IPython magics: `%load_ext jupyter_ext`, then %%train, %process, %tune, %automl, %jobs,
%logs, %stop, %describe, %monitor_job, %experiments, %leaderboard, %lifecycle, %debugger, %deploy,
%invoke, %endpoints, %compile, %model, %monitor, %pipeline, %label and %livy.

Every magic runs the same way (`dispatch`): its line is parsed, a handler calls the
Python API, and the result goes to `jupyter_ext.display.show`. Magics that have a
`jupyter-ext` twin are built from that capability's verb table (`jupyter_ext.commands`),
so both take the same options. Each raises on failure, so a papermill run fails on the
cell that failed. No magic imports a widget: `show` finds the widget for a result.
"""

from __future__ import annotations

from ..commands.text import parse_pairs
from .jobs import JobMagics, parse_range

__all__ = ["JobMagics", "parse_pairs", "parse_range"]
