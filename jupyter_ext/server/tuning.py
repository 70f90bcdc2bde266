"""REST route for a tuning job's page: GET /tuning-jobs/{name} → TuningJobDescription (its
search settings and every training job with its objective), a few lines over
`jupyter_ext.tuning`."""

from __future__ import annotations

from ..models import TuningJobDescription
from ..tuning.description import describe_tuning_job
from .base import ApiHandler, api

__all__ = ["ROUTES"]

_NAME = r"(?P<name>[a-zA-Z0-9-]{1,63})"


class TuningJobHandler(ApiHandler):
    """GET /tuning-jobs/{name} → TuningJobDescription; 404 for an unknown job, 400 for a
    job that is not a tuning job."""

    @api
    def get(self, name: str) -> TuningJobDescription:
        return describe_tuning_job(name)


ROUTES = [(f"tuning-jobs/{_NAME}", TuningJobHandler)]
