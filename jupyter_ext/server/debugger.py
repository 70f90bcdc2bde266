"""REST routes for the debugger: a training job's rule evaluations (for the job's detail view)."""

from __future__ import annotations

from ..debugger.rule_jobs import rule_evaluations
from ..models import ListRuleEvaluationsResponse
from .base import ApiHandler, api

__all__ = ["ROUTES"]

_NAME = r"(?P<name>[a-zA-Z0-9-]{1,63})"


class RuleEvaluationsHandler(ApiHandler):
    """GET /jobs/{name}/rules → ListRuleEvaluationsResponse (404 for an unknown job)."""

    @api
    def get(self, name: str) -> ListRuleEvaluationsResponse:
        return ListRuleEvaluationsResponse(name, rule_evaluations(name))


ROUTES = [(f"jobs/{_NAME}/rules", RuleEvaluationsHandler)]
