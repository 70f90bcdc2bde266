"""The labeling job's program: `python -m jupyter_ext.labeling.run_labeling labeling.json`, run
as a Labeling job in its job folder.

People label through the panel or a file of answers (work.py writes to the store); this
program waits until every item has a final label, runs automated labeling rounds when the
job asks for them, and writes the output manifest into output/labeling/ (the runner copies
it to `<output_path>/<job>/`). Stopped (SIGTERM), it writes what is labeled so far.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from ..store import get_store
from . import records
from .output import write_output

__all__ = ["main"]

POLL_SECONDS = 0.5


def _left(name: str) -> int:
    return len(records.item_rows(get_store(), name, final=False))


def label_until_done(config: dict[str, Any], stop: threading.Event) -> str:
    """Wait for final labels (running automated labeling when due); "complete" or "stopped"."""
    name = config["job_name"]
    automation = None
    if config.get("automated_labeling"):
        from .automation import AutomatedLabeling

        automation = AutomatedLabeling(config)
    while _left(name):
        if stop.is_set():
            return "stopped"
        if automation is not None:
            automation.run_round_if_due(stop)
        stop.wait(POLL_SECONDS)
    return "complete"


def main(argv: list[str] | None = None) -> None:
    """Run the labeling job `labeling.json` (the first argument) describes."""
    args = sys.argv[1:] if argv is None else argv
    config = json.loads(Path(args[0]).read_text())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    name, store = config["job_name"], get_store()
    print(f"Labeling job {name}: {config['items']} items, {config['task_type']}, workers "
          f"{', '.join(config['workers'])}", flush=True)
    state = label_until_done(config, stop)
    records.set_state(store, name, state)
    manifest = write_output(store, name, Path("output/labeling"))
    labeled = config["items"] - _left(name)
    print(f"Labeling job {name} {state}: {labeled} of {config['items']} items labeled; output manifest "
          f"{manifest}", flush=True)


if __name__ == "__main__":
    main()
