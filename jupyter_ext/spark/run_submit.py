"""The program of a PySparkProcessor job: submit a Livy batch, stream its log, exit with
its outcome (0 for `success`; 1 otherwise, with the reason in `output/failure`).

    python -m jupyter_ext.spark.run_submit --livy-url URL --file app.py [--batch JSON] -- ARGS...
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
from pathlib import Path
from types import FrameType

from .client import LivyClient

__all__ = ["main"]


# A Python traceback's last line, e.g. "RuntimeError: broken" or "pyspark.errors...AnalysisException: ...".
_ERROR_LINE = re.compile(r"^\s*[\w.]*(Error|Exception)\b: ")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jupyter_ext.spark.run_submit", description=__doc__)
    parser.add_argument("--livy-url", required=True)
    parser.add_argument("--file", required=True, help="the application; local paths are made absolute")
    parser.add_argument("--batch", default="{}", help="more CreateBatchRequest fields, as JSON")
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between log reads")
    parser.add_argument("args", nargs="*")
    return parser


def _write_failure(reason: str) -> None:
    """SageMaker's contract: the failure reason goes to `<job>/output/failure`."""
    folder = os.environ.get("JUPYTER_EXT_JOB_DIR")
    if folder:
        target = Path(folder) / "output" / "failure"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(reason)


def main(argv: list[str] | None = None) -> int:
    """Submit, follow and report one batch."""
    args = _parser().parse_args(argv)
    auth = os.environ.get("JUPYTER_EXT_LIVY_AUTH")
    client = LivyClient(args.livy_url, auth=tuple(auth.split(":", 1)) if auth else None)  # type: ignore[arg-type]
    batch = client.create_batch(str(Path(args.file).resolve()), args.args, **json.loads(args.batch))
    print(f"Submitted Livy batch {batch['id']} to {args.livy_url}", flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        print(f"Stopping: deleting Livy batch {batch['id']}", flush=True)
        client.delete_batch(batch["id"])
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    last_error = None  # the application's own error, quoted in the failure reason
    for line in client.follow_batch(batch["id"], args.poll):
        print(line, flush=True)
        if _ERROR_LINE.match(line):
            last_error = line.strip()
    state = client.batch(batch["id"])["state"]
    print(f"Livy batch {batch['id']} ended: {state}", flush=True)
    if state == "success":
        return 0
    detail = f": {last_error[:300]}" if last_error else "; see the job log"
    _write_failure(f"SparkApplicationError: Livy batch {batch['id']} ended in state {state}{detail}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
