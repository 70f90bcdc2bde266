"""REST routes for experiments: list, leaderboard, a run, its metrics."""

from __future__ import annotations

from ..experiments import list_experiments
from ..experiments.queries import describe_run, leaderboard, run_metric_points
from ..models import (
    LeaderboardRequest, LeaderboardResponse, ListExperimentsResponse, ListMetricsRequest, ListMetricsResponse,
    RunDescription,
)
from .base import ApiHandler, api

__all__ = ["ROUTES"]

_NAME = r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]{0,119})"


class ExperimentsHandler(ApiHandler):
    """GET /experiments → ListExperimentsResponse."""

    @api
    def get(self) -> ListExperimentsResponse:
        return ListExperimentsResponse(list_experiments())


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


ROUTES = [
    ("experiments", ExperimentsHandler),
    (f"experiments/{_NAME}/leaderboard", LeaderboardHandler),
    (f"runs/{_NAME}", RunHandler),
    (f"runs/{_NAME}/metrics", RunMetricsHandler),
]
