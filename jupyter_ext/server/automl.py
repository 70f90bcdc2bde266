"""REST routes for an AutoML job's page: GET /automl-jobs/{name} → AutoMLJobDescription, and
POST /automl-jobs/{name}/notebooks/{kind} → OpenNotebookResponse (the notebook copied under
JupyterLab's root, where JupyterLab can open it). A few lines over `jupyter_ext.automl`."""

from __future__ import annotations

from pathlib import Path

from ..automl.description import copy_notebook, describe_automl_job
from ..models import AutoMLJobDescription, OpenNotebookResponse
from .base import ApiHandler, api

__all__ = ["ROUTES"]

_NAME = r"(?P<name>[a-zA-Z0-9-]{1,63})"


class AutoMLJobHandler(ApiHandler):
    """GET /automl-jobs/{name} → AutoMLJobDescription; 404 unknown, 400 not an AutoML job."""

    @api
    def get(self, name: str) -> AutoMLJobDescription:
        return describe_automl_job(name)


class AutoMLNotebookHandler(ApiHandler):
    """POST /automl-jobs/{name}/notebooks/{kind} (DataExploration or CandidateDefinition) →
    OpenNotebookResponse; 404 while the job has not written it."""

    @api
    def post(self, name: str, kind: str) -> OpenNotebookResponse:
        root = Path(self.settings["contents_manager"].root_dir)
        return OpenNotebookResponse(copy_notebook(name, kind, root))


ROUTES = [
    (f"automl-jobs/{_NAME}", AutoMLJobHandler),
    (f"automl-jobs/{_NAME}/notebooks/(?P<kind>[A-Za-z]{{1,40}})", AutoMLNotebookHandler),
]
