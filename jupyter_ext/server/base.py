"""The one base of every REST handler: authentication, records in and out, and the
error mapping (ValidationError 400, NotFoundError 404, ConflictError 409; anything
else is our bug: 500 and a log line with the traceback)."""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from jupyter_server.base.handlers import APIHandler
from tornado import web

from ..errors import ConflictError, JupyterExtError, NotFoundError, ValidationError

__all__ = ["ApiHandler", "api", "parse_record"]

R = TypeVar("R")
_STATUS_OF = ((ValidationError, 400), (NotFoundError, 404), (ConflictError, 409))


def _status_of(error: JupyterExtError) -> int:
    return next((status for kind, status in _STATUS_OF if isinstance(error, kind)), 400)


def api(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a handler method: authenticated; a returned record is written as JSON;
    our errors become their HTTP status with `{"message": ...}`."""

    @web.authenticated
    @functools.wraps(method)
    def wrapper(self: ApiHandler, *args: Any, **kwargs: Any) -> None:
        try:
            result = method(self, *args, **kwargs)
        except JupyterExtError as error:
            raise web.HTTPError(_status_of(error), str(error)) from error
        if result is not None and not self._finished:
            self.finish(json.dumps(result.to_dict()))

    return wrapper


def _field_type(hint: Any) -> type:
    """The concrete type of a field hint (`int | None` → int)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return next(arg for arg in typing.get_args(hint) if arg is not type(None))
    return hint


def parse_record(cls: type[R], values: dict[str, Any]) -> R:
    """A request record from query arguments or a JSON body; ValidationError names any
    unknown or malformed field."""
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise ValidationError(f"Unknown parameter(s) {', '.join(unknown)}; this call takes: {', '.join(names)}.")
    parsed = {}
    for name, value in values.items():
        kind = _field_type(hints[name])
        if value is None:
            parsed[name] = None
            continue
        if kind is bool and isinstance(value, str):
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValidationError(f"Parameter {name} must be true or false; got {value!r}.")
            parsed[name] = value.lower() in ("true", "1")
            continue
        try:
            parsed[name] = kind(value) if kind in (int, float) else value
        except (TypeError, ValueError):
            raise ValidationError(f"Parameter {name} must be a {kind.__name__}; got {value!r}.") from None
        if kind is str and not isinstance(value, str):
            raise ValidationError(f"Parameter {name} must be a string; got {value!r}.")
    return cls(**parsed)


class ApiHandler(APIHandler):
    """Base of the jupyter_ext REST handlers."""

    def query(self, cls: type[R]) -> R:
        """The request record `cls` read from the query string.

        A bare number as a key is the cache buster JupyterLab adds to every GET; skipped.
        """
        return parse_record(cls, {k: self.get_query_argument(k) for k in self.request.query_arguments
                                  if not k.isdigit()})

    def body(self, cls: type[R]) -> R:
        """The request record `cls` read from a JSON body (an empty body gives the defaults)."""
        if not self.request.body:
            return cls()
        try:
            values = json.loads(self.request.body)
        except ValueError:
            raise ValidationError("The request body is not valid JSON.") from None
        if not isinstance(values, dict):
            raise ValidationError("The request body must be a JSON object.")
        return parse_record(cls, values)

    def not_modified(self, token: str) -> bool:
        """Set the ETag to `token`; True (and a 304 sent) if the client has it already."""
        self.set_header("Etag", f'"{token}"')
        if self.check_etag_header():
            self.set_status(304)
            self.finish()
            return True
        return False
