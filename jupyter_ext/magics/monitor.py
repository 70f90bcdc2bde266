"""`%monitor baseline|schedule|run|report|list|executions|describe|stop|start|delete`:
Model Monitor from a notebook, the verbs of `jupyter-ext monitor`. Each raises on
failure (papermill fails the cell); a run's drift report is shown with `show`."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class

from ..commands.monitor import MONITOR
from .dispatch import run_table

__all__ = ["MonitorMagics"]


@magics_class
class MonitorMagics(Magics):
    """The %monitor magic."""

    @line_magic
    def monitor(self, line: str) -> Any:
        """Model Monitor. `%monitor baseline data.csv --output baseline/` profiles a dataset;
        `%monitor schedule ENDPOINT --baseline baseline/ --output reports/ --cron hourly`
        schedules runs; `%monitor run ENDPOINT --baseline baseline/ --output reports/` runs
        one now and shows its report (`%monitor run [--at TIME] [--wait]` starts the due
        schedules' runs, as `jupyter-ext monitor run` does from cron); `%monitor report JOB
        --baseline baseline/` shows a run's report; `%monitor list [ENDPOINT]` lists
        schedules, `%monitor executions` runs; `%monitor VERB -h` lists a verb's options."""
        return run_table(MONITOR, line, self.shell)
