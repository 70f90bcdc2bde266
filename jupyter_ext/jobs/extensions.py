"""Job extensions: what is added to jobs of any kind without the kind knowing of it.

Experiment tracking (every job is a run) and the debugger (rule jobs beside a training
job) are extensions: a `JobExtension` is a few callables that `submit` runs at fixed
points of every submission, and `describe_job` runs on every description. A kind only
passes on the keyword options it was given (`rules=...`, `experiment_config=...`); each
extension takes the ones it names.

Extensions are found in the `JOB_EXTENSIONS` registry (entry-point group
`jupyter_ext.job_extensions`), in name order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..plugins import Registry

from .kind import JobKind
from .spec import JobSpec

if TYPE_CHECKING:
    from ..models import JobDescription

__all__ = ["Submission", "JobExtension", "JOB_EXTENSIONS", "extensions", "check_job_options"]


@dataclass
class Submission:
    """A job on its way into the store, as extensions see it.

    `spec` may be changed by `on_spec` (environment, uploads, record details); `state`
    keeps what an extension works out early for its later steps.
    """

    kind: JobKind
    name: str
    job_dir: Path
    spec: JobSpec
    options: Mapping[str, Any]
    state: dict[str, Any] = field(default_factory=dict)


Step = Callable[[Submission], None]


@dataclass(frozen=True)
class JobExtension:
    """Callables run for each job of `job_types` (all kinds when empty).

    `options` are the keyword options it takes; `check(options)` validates them when the
    launching object is made and again at submission (raise ValidationError); `on_spec`
    runs once the spec is built, `on_folder` once the kind has filled the job folder,
    `on_created` once the job is recorded and its runner started; `on_describe` adds live
    facts to every DescribeJob of such a job.
    """

    options: tuple[str, ...] = ()
    job_types: tuple[str, ...] = ()
    check: Callable[[Mapping[str, Any]], None] | None = None
    on_spec: Step | None = None
    on_folder: Step | None = None
    on_created: Step | None = None
    on_describe: Callable[[JobDescription], None] | None = None

    def applies_to(self, job_type: str) -> bool:
        """Whether jobs of `job_type` get this extension."""
        return not self.job_types or job_type in self.job_types


JOB_EXTENSIONS: Registry[JobExtension] = Registry("job extension", "jupyter_ext.job_extensions", {
    "aws": "jupyter_ext.aws.job_requests:AWS_EXTENSION",
    "debugger": "jupyter_ext.debugger.rule_jobs:DEBUGGER_EXTENSION",
    "experiments": "jupyter_ext.experiments.tracking:TRACKING_EXTENSION",
})


def extensions(job_type: str) -> list[JobExtension]:
    """The extensions that apply to jobs of `job_type`, in name order."""
    return [extension for _, extension in JOB_EXTENSIONS.items() if extension.applies_to(job_type)]


def check_job_options(job_type: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Validate, among `options`, those the extensions of `job_type` take (each one's
    `check` raises ValidationError on a bad value); returns just those options."""
    taken: dict[str, Any] = {}
    for extension in extensions(job_type):
        mine = {name: options[name] for name in extension.options if name in options}
        if extension.check is not None:
            extension.check(mine)
        taken.update(mine)
    return taken
