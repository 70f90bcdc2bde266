"""Livy's REST routes over a `LivyApps`, as a tornado application.

Errors come out in Livy's two shapes (`{"msg": ...}` or a bare JSON string); every
response is JSON. A POST that created something never answers 5xx (sparkmagic retries
those and would create duplicates).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tornado import web

from .. import __version__
from .apps import LivyApps
from .livy_guard import RequestGuard
from .livy_requests import (COMPLETION_FIELDS, STATEMENT_FIELDS, check_batch_request, check_fields, check_kind,
                        check_session_request, parse_body)
from .sessions import LivyError, page

__all__ = ["make_app", "LIVY_VERSION"]

LIVY_VERSION = "0.8.0-incubating"


class LivyHandler(web.RequestHandler):
    """Who may call (livy_guard.py), JSON out and Livy's error shapes for every route."""

    gateway: LivyApps
    guard: RequestGuard

    def initialize(self, gateway: LivyApps, guard: RequestGuard) -> None:
        self.gateway, self.guard = gateway, guard

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json")

    def prepare(self) -> None:
        try:
            self.guard.check(self.request.method or "GET", self.request.headers)
        except LivyError as refusal:
            if refusal.status == 401:
                self.set_header("WWW-Authenticate", 'Basic realm="livy"')
            raise
        accept = self.request.headers.get("Accept", "*/*")
        if accept.startswith("application/vnd.livy.") and accept != "application/vnd.livy.v0.1+json":
            raise LivyError(406, {"msg": f"Unsupported API version {accept}; this gateway speaks v0.1."})

    @property
    def owner(self) -> str | None:
        """The authenticated user (Basic auth), else None."""
        return self.gateway.settings.username

    def reply(self, body: Any, status: int = 200) -> None:
        """Finish with `body` as JSON."""
        self.set_status(status)
        self.finish(json.dumps(body))

    def body(self) -> dict[str, Any]:
        """The request's JSON object."""
        return parse_body(self.request.body)

    def _handle_request_exception(self, error: BaseException) -> None:
        if self._finished:
            return
        if isinstance(error, LivyError):
            self.reply(error.body, error.status)
            return
        if isinstance(error, web.HTTPError):
            self.reply({"msg": error.log_message or self._reason}, error.status_code)
            return
        self.log_exception(type(error), error, error.__traceback__)
        self.reply(f"{type(error).__name__}: {error}", 500)

    def session(self, key: str) -> Any:
        """The session named by the path; renews its heartbeat, as any per-session request does."""
        session = self.gateway.find(self.gateway.sessions, key)
        session.touch()
        return session

    def proxy_user(self, request: dict[str, Any]) -> dict[str, Any]:
        """`?doAs=user` overrides `proxyUser`, as Livy's impersonation does."""
        do_as = self.get_query_argument("doAs", None)
        return {**request, "proxyUser": do_as} if do_as else request

    def int_argument(self, name: str, default: int) -> int:
        """A whole-number query argument; 400 if it is not one."""
        value = self.get_query_argument(name, str(default))
        try:
            return int(value)
        except ValueError:
            raise LivyError(400, {"msg": f"{name} must be a whole number; got {value!r}"}) from None

    def listing(self, apps: dict[int, Any]) -> dict[str, Any]:
        """Livy's paged list `{"from", "total", "sessions"}`."""
        with self.gateway.lock:
            views = [app.view() for _, app in sorted(apps.items())]
        start, size = self.int_argument("from", 0), self.int_argument("size", 100)
        return {"from": start, "total": len(views), "sessions": views[start:start + size]}

    def log_page(self, app: Any) -> dict[str, Any]:
        """Livy's log page `{"id", "from", "total", "log"}`."""
        lines = app.log_lines()
        start, chosen = page(lines, self.get_query_argument("from", None), self.get_query_argument("size", None))
        return {"id": app.id, "from": start, "total": len(lines), "log": chosen}


class RootHandler(LivyHandler):
    def get(self) -> None:
        self.reply({"msg": "Livy-compatible gateway of jupyter_ext", "sessions": "/sessions", "batches": "/batches"})


class VersionHandler(LivyHandler):
    def get(self) -> None:
        self.reply({"version": LIVY_VERSION, "user": self.owner or "jupyter_ext", "revision": __version__,
                    "branch": "jupyter_ext", "date": "", "url": "https://github.com/apache/incubator-livy"})


class SessionsHandler(LivyHandler):
    def get(self) -> None:
        self.reply(self.listing(self.gateway.sessions))

    def post(self) -> None:
        request = check_session_request(self.body(), self.gateway.allowed, self.gateway.settings.lenient)
        session = self.gateway.create_session(self.proxy_user(request), self.owner)
        self.set_header("Location", f"/sessions/{session.id}")
        self.reply(session.view(), 201)


class SessionHandler(LivyHandler):
    def get(self, key: str) -> None:
        self.reply(self.session(key).view())

    async def delete(self, key: str) -> None:
        session = self.gateway.find(self.gateway.sessions, key)
        await asyncio.get_running_loop().run_in_executor(None, self.gateway.delete, self.gateway.sessions, session)
        self.reply({"msg": "deleted"})


class SessionStateHandler(LivyHandler):
    def get(self, key: str) -> None:
        session = self.session(key)
        self.reply({"id": session.id, "state": session.state})


class SessionLogHandler(LivyHandler):
    def get(self, key: str) -> None:
        self.reply(self.log_page(self.session(key)))


class StatementsHandler(LivyHandler):
    def get(self, key: str) -> None:
        session = self.session(key)
        session.require_active()
        with session.lock:
            statements = [dict(s) for _, s in sorted(session.statements.items())]
        if self.get_query_argument("order", "") == "desc":
            statements.reverse()
        start, size = self.int_argument("from", 0), self.int_argument("size", 100)
        self.reply({"total_statements": len(statements), "statements": statements[start:start + size]})

    def post(self, key: str) -> None:
        session = self.session(key)
        request = check_fields(self.body(), STATEMENT_FIELDS, "statement", self.gateway.settings.lenient)
        kind = check_kind(request["kind"]) if request.get("kind") else None
        statement = session.submit(request.get("code", ""), kind)
        self.set_header("Location", f"/sessions/{session.id}/statements/{statement['id']}")
        self.reply(statement, 201)


class StatementHandler(LivyHandler):
    def get(self, key: str, statement: str) -> None:
        session = self.session(key)
        session.require_active()
        self.reply(session.statement(int(statement)))


class CancelHandler(LivyHandler):
    def post(self, key: str, statement: str) -> None:
        self.session(key).cancel(int(statement))
        self.reply({"msg": "canceled"})


class CompletionHandler(LivyHandler):
    async def post(self, key: str) -> None:
        session = self.session(key)
        request = check_fields(self.body(), COMPLETION_FIELDS, "completion", self.gateway.settings.lenient)
        if not request.get("kind"):
            raise LivyError(400, {"msg": "Rejected, Reason: kind is required for completion."})
        session.require_running()
        code, cursor = request.get("code", ""), request.get("cursor", len(request.get("code", "")))
        candidates = await asyncio.get_running_loop().run_in_executor(None, session.complete, code, cursor)
        self.reply({"candidates": candidates})


class BatchesHandler(LivyHandler):
    def get(self) -> None:
        self.reply(self.listing(self.gateway.batches))

    def post(self) -> None:
        request = check_batch_request(self.body(), self.gateway.allowed, self.gateway.settings.lenient)
        batch = self.gateway.create_batch(self.proxy_user(request), self.owner)
        self.set_header("Location", f"/batches/{batch.id}")
        self.reply(batch.view(), 201)


class BatchHandler(LivyHandler):
    def get(self, key: str) -> None:
        self.reply(self.gateway.find(self.gateway.batches, key, "Batch").view())

    async def delete(self, key: str) -> None:
        batch = self.gateway.find(self.gateway.batches, key, "Batch")
        await asyncio.get_running_loop().run_in_executor(None, self.gateway.delete, self.gateway.batches, batch)
        self.reply({"msg": "deleted"})


class BatchStateHandler(LivyHandler):
    def get(self, key: str) -> None:
        batch = self.gateway.find(self.gateway.batches, key, "Batch")
        self.reply({"id": batch.id, "state": batch.state})


class BatchLogHandler(LivyHandler):
    def get(self, key: str) -> None:
        self.reply(self.log_page(self.gateway.find(self.gateway.batches, key, "Batch")))


class NotFoundHandler(LivyHandler):
    def prepare(self) -> None:
        super().prepare()
        raise LivyError(404, {"msg": f"No route for {self.request.method} {self.request.path}."})


def make_app(gateway: LivyApps, guard: RequestGuard) -> web.Application:
    """The tornado application serving Livy's routes for `gateway`, each request checked by `guard`."""
    key, number = r"([^/]+)", r"(\d+)"
    routes = [
        (r"/", RootHandler), (r"/ui/?", RootHandler), (r"/version", VersionHandler),
        (r"/sessions/?", SessionsHandler), (rf"/sessions/{key}", SessionHandler),
        (rf"/sessions/{key}/state", SessionStateHandler), (rf"/sessions/{key}/log", SessionLogHandler),
        (rf"/sessions/{key}/statements/?", StatementsHandler),
        (rf"/sessions/{key}/statements/{number}", StatementHandler),
        (rf"/sessions/{key}/statements/{number}/cancel", CancelHandler),
        (rf"/sessions/{key}/completion", CompletionHandler),
        (r"/batches/?", BatchesHandler), (rf"/batches/{key}", BatchHandler),
        (rf"/batches/{key}/state", BatchStateHandler), (rf"/batches/{key}/log", BatchLogHandler),
    ]
    args = {"gateway": gateway, "guard": guard}
    return web.Application([(path, handler, args) for path, handler in routes],
                           default_handler_class=NotFoundHandler, default_handler_args=args)
