"""REST routes for experiments: list, leaderboard, a run, its metrics, charts and artifacts, runs compared."""

from __future__ import annotations

from pathlib import Path

from ..experiments import list_experiments
from ..experiments.comparison import compare_runs, run_charts, unassigned_run_count
from ..experiments.queries import describe_run, leaderboard, open_run_artifact, run_metric_points
from ..models import (
    CompareRunsRequest, LeaderboardRequest, LeaderboardResponse, ListExperimentsResponse, ListMetricsRequest, ListMetricsResponse,
    OpenArtifactRequest, OpenArtifactResponse, RunCharts, RunComparison, RunDescription,
)
from .base import ApiHandler, api

__all__ = ["ROUTES"]

_NAME = r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]{0,119})"


class ExperimentsHandler(ApiHandler):
    """GET /experiments → ListExperimentsResponse."""

    @api
    def get(self) -> ListExperimentsResponse:
        return ListExperimentsResponse(list_experiments(), unassigned_run_count())


class LeaderboardHandler(ApiHandler):
    """GET /experiments/{name}/leaderboard: LeaderboardRequest in the query → LeaderboardResponse."""

    @api
    def get(self, name: str) -> LeaderboardResponse:
        request = self.query(LeaderboardRequest)
        return leaderboard(name, request.metric, request.stat, request.ascending)


class RunHandler(ApiHandler):
    """GET /runs/{name} → RunDescription."""

    @api
    def get(self, name: str) -> RunDescription:
        return describe_run(name)


class RunMetricsHandler(ApiHandler):
    """GET /runs/{name}/metrics: ListMetricsRequest in the query → ListMetricsResponse."""

    @api
    def get(self, name: str) -> ListMetricsResponse:
        return ListMetricsResponse(run_metric_points(name, self.query(ListMetricsRequest).name))


class RunComparisonHandler(ApiHandler):
    """GET /run-comparison: CompareRunsRequest in the query → RunComparison (an experiment's
    runs, or without `experiment` the runs outside any)."""

    @api
    def get(self) -> RunComparison:
        return compare_runs(self.query(CompareRunsRequest).experiment)


class RunChartsHandler(ApiHandler):
    """GET /runs/{name}/charts → RunCharts (its ROC curves, precision-recall curves and
    confusion matrices)."""

    @api
    def get(self, name: str) -> RunCharts:
        return run_charts(name)


class OpenRunArtifactHandler(ApiHandler):
    """POST /runs/{name}/artifacts/open: OpenArtifactRequest → OpenArtifactResponse (as a job's)."""

    @api
    def post(self, name: str) -> OpenArtifactResponse:
        root = Path(self.settings["contents_manager"].root_dir)
        return open_run_artifact(name, self.body(OpenArtifactRequest).path, root)


ROUTES = [
    ("experiments", ExperimentsHandler),
    (f"experiments/{_NAME}/leaderboard", LeaderboardHandler),
    (f"runs/{_NAME}", RunHandler),
    (f"runs/{_NAME}/metrics", RunMetricsHandler),
    (f"runs/{_NAME}/charts", RunChartsHandler),
    (f"runs/{_NAME}/artifacts/open", OpenRunArtifactHandler),
    ("run-comparison", RunComparisonHandler),
]
