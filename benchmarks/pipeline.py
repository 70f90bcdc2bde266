"""Pipeline orchestration overhead: a chain of N trivial processing steps run as a pipeline
execution against the same N processing jobs started one after another by hand.

    python benchmarks/pipeline.py [--steps 10] [--repeat 3]

Each step waits for the one before it (its `depends_on`), so nothing runs in parallel and
the difference is what the execution adds: its own job, the steps' records, resolving
arguments, noticing each job's end. Target: under 0.5 s a step. The machine's load is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import tempfile
import time
from pathlib import Path


def _by_hand(script: Path, steps: int) -> float:
    from jupyter_ext import ScriptProcessor

    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # each job's status line
        for _ in range(steps):
            ScriptProcessor(command=["python3"]).run(str(script), logs=False)
    return time.perf_counter() - started


def _as_pipeline(script: Path, steps: int, name: str) -> float:
    from jupyter_ext import ScriptProcessor
    from jupyter_ext.pipelines import Pipeline, ProcessingStep

    chain: list[ProcessingStep] = []
    for index in range(steps):
        chain.append(ProcessingStep(f"Step{index}", ScriptProcessor(command=["python3"]), code=str(script),
                                    depends_on=chain[-1:]))
    pipeline = Pipeline(name, steps=chain)
    pipeline.upsert()
    started = time.perf_counter()
    pipeline.start().wait()
    return time.perf_counter() - started


def main() -> None:
    """Time both ways and print the overhead per step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["JUPYTER_EXT_HOME"] = tempfile.mkdtemp(prefix="bench-pipeline-")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    script = Path(tempfile.mkdtemp(prefix="bench-code-")) / "noop.py"
    script.write_text("print('ok')\n")
    hand, piped = [], []
    for round_ in range(args.repeat):
        hand.append(_by_hand(script, args.steps))
        piped.append(_as_pipeline(script, args.steps, f"bench-{round_}"))
    by_hand, as_pipeline = statistics.median(hand), statistics.median(piped)
    overhead = (as_pipeline - by_hand) / args.steps
    print(f"load average {os.getloadavg()[0]:.2f}; {args.steps} steps, median of {args.repeat}")
    print(f"by hand {by_hand:.2f} s ({by_hand / args.steps:.2f} s a job); as a pipeline {as_pipeline:.2f} s; "
          f"overhead {overhead:.3f} s a step (target < 0.5) {'OK' if overhead < 0.5 else 'OVER'}")


if __name__ == "__main__":
    main()
