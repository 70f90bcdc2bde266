"""REST routes for Spark through Livy: the configured Livy server's sessions and batches,
a session's log, and stopping a session."""

from __future__ import annotations

from ..errors import ValidationError
from ..models import LivyLog, LivyLogRequest, LivyOverview
from ..spark.overview import delete_livy_session, describe_livy, livy_session_log
from .base import ApiHandler, api

__all__ = ["ROUTES"]

_ID = r"(?P<name>[^/]+)"  # a Livy session id


def _session_id(text: str) -> int:
    if not text.isdigit():
        raise ValidationError(f"Livy session ids are whole numbers; got {text!r}.")
    return int(text)


class LivyOverviewHandler(ApiHandler):
    """GET /spark → LivyOverview (reachable false, with a message, when Livy is down)."""

    @api
    def get(self) -> LivyOverview:
        return describe_livy()


class LivySessionHandler(ApiHandler):
    """DELETE /spark/sessions/{id}: stop the session → LivyOverview after it."""

    @api
    def delete(self, name: str) -> LivyOverview:
        delete_livy_session(_session_id(name))
        return describe_livy()


class LivySessionLogHandler(ApiHandler):
    """GET /spark/sessions/{id}/log?size=200 → LivyLog (the last lines)."""

    @api
    def get(self, name: str) -> LivyLog:
        return livy_session_log(_session_id(name), self.query(LivyLogRequest).size)


ROUTES = [
    ("spark", LivyOverviewHandler),
    (f"spark/sessions/{_ID}", LivySessionHandler),
    (f"spark/sessions/{_ID}/log", LivySessionLogHandler),
]
