"""REST routes for pipelines: the stored pipelines, a pipeline's executions, one execution's
step graph, and stop or retry of an execution (POST). Each is a few lines over
`jupyter_ext.pipelines`."""

from __future__ import annotations

from ..models import ListPipelineExecutionsResponse, ListPipelinesResponse, PipelineExecutionGraph
from ..pipelines import PipelineExecution, describe_pipeline
from ..pipelines.graph import execution_graph, execution_summaries, pipeline_summaries
from .base import ApiHandler, api

__all__ = ["ROUTES"]

_PIPELINE = r"(?P<name>[a-zA-Z0-9-]{1,256})"
_EXECUTION = r"(?P<execution>[a-zA-Z0-9-]{1,128})"


class PipelinesHandler(ApiHandler):
    """GET /pipelines → ListPipelinesResponse."""

    @api
    def get(self) -> ListPipelinesResponse:
        return ListPipelinesResponse(pipeline_summaries())


class ExecutionsHandler(ApiHandler):
    """GET /pipelines/{name}/executions → ListPipelineExecutionsResponse (newest first)."""

    @api
    def get(self, name: str) -> ListPipelineExecutionsResponse:
        describe_pipeline(name)  # 404 for an unknown pipeline
        return ListPipelineExecutionsResponse(execution_summaries(name))


class ExecutionHandler(ApiHandler):
    """GET /pipeline-executions/{id} → PipelineExecutionGraph."""

    @api
    def get(self, execution: str) -> PipelineExecutionGraph:
        return execution_graph(execution)


class ExecutionActionHandler(ApiHandler):
    """POST /pipeline-executions/{id}/stop (or /retry) → the execution's PipelineExecutionGraph;
    409 when it cannot (stop of an ended one, retry of one that runs or Succeeded)."""

    @api
    def post(self, execution: str, action: str) -> PipelineExecutionGraph:
        handle = PipelineExecution(execution)
        if action == "stop":
            handle.stop()
        else:
            handle.retry()
        return execution_graph(execution)


ROUTES = [
    ("pipelines", PipelinesHandler),
    (f"pipelines/{_PIPELINE}/executions", ExecutionsHandler),
    (f"pipeline-executions/{_EXECUTION}", ExecutionHandler),
    (f"pipeline-executions/{_EXECUTION}/(?P<action>stop|retry)", ExecutionActionHandler),
]
