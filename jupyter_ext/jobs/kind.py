"""JobKind: what a kind of job (training, processing, tuning, ...) tells `submit`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .spec import JobSpec

__all__ = ["JobKind"]


class JobKind(ABC):
    """A kind of job, as `submit` needs it.

    `base_job_name` starts a generated name; `max_name_length` caps names (SageMaker's
    limit is 63; tuning and AutoML jobs keep room for their children's suffixes);
    `output_path` is where the job's artifacts go, if it has one.
    """

    base_job_name: str = "job"
    max_name_length: int = 63
    output_path: str | None = None

    @abstractmethod
    def job_spec(self, name: str, job_dir: Path) -> JobSpec:
        """The spec of the job called `name`, whose folder will be `job_dir`."""

    @abstractmethod
    def fill_folder(self, job_dir: Path, spec: JobSpec) -> None:
        """Put what the program needs into the (new, empty) job folder."""

    def run_details(self, spec: JobSpec) -> tuple[Mapping[str, Any], str | None] | None:
        """What experiment tracking records of such a job: (parameters, source); None
        when jobs of this kind are not tracked as runs (the default)."""
        return None
