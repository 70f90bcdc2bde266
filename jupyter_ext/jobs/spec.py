"""JobSpec: everything a runner needs to run one job, written once when the job is created.

Job kinds (training, processing, ...) differ only in the spec they build; the runner
executes any spec the same way.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from .hosts import Host

__all__ = ["JobSpec", "Upload", "DEFAULT_MAX_RUN", "DEFAULT_STOP_GRACE"]

DEFAULT_MAX_RUN = 24 * 60 * 60
DEFAULT_STOP_GRACE = 30.0


@dataclass
class Upload:
    """A job-dir path copied to the artifact store when the job ends.

    `archive` packs a folder into a .tar.gz at `destination`; `when` is "success" or
    "always"; `role` ("model_data", "output_data") records the URI on the job.
    """

    source: str
    destination: str
    archive: bool = False
    when: str = "success"
    role: str | None = None


@dataclass
class JobSpec:
    """What to run and how: the program, its environment and what to keep afterwards.

    `program` runs in `working_dir` (relative paths are inside the job dir) with
    `environment` added to the runner's own. `record` holds what DescribeJob shows
    (hyperparameters, inputs, outputs) and is not used to run the job; `notices` are
    lines the runner writes at the top of the job's log (a framework version unlike the
    installed one, ...). `hosts` lists the instances of a several-host job (empty: one
    host, the job folder).
    """

    name: str
    job_type: str
    program: list[str]
    working_dir: str = "."
    environment: dict[str, str] = field(default_factory=dict)
    max_run: int = DEFAULT_MAX_RUN
    stop_grace: float = DEFAULT_STOP_GRACE
    metric_definitions: list[dict[str, str]] = field(default_factory=list)
    requirements: str | None = None
    uploads: list[Upload] = field(default_factory=list)
    executor: str = "local"
    record: dict[str, Any] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    hosts: list[Host] = field(default_factory=list)

    def to_json(self) -> str:
        """The spec as JSON (what the store and `spec.json` hold)."""
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> JobSpec:
        """A spec from `to_json()` output."""
        data = json.loads(text)
        data["uploads"] = [Upload(**u) for u in data.get("uploads", [])]
        data["hosts"] = [Host(**h) for h in data.get("hosts", [])]
        return cls(**data)
