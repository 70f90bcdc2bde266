"""The endpoints verbs: `jupyter-ext endpoints list|describe|token|delete` and `%endpoints`."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import ValidationError
from ..models import EndpointDescription
from ..serving import delete_endpoint, describe_endpoint, endpoint_token, list_endpoints
from . import Verb, VerbTable, arg
from .text import text_table

__all__ = ["ENDPOINTS", "endpoints_table"]


def endpoints_table(endpoints: list[EndpointDescription]) -> str:
    """Endpoints as a text table: name, status, URL and each variant's weight and traffic."""
    if not endpoints:
        return "No endpoints."
    rows = [("NAME", "STATUS", "URL", "VARIANTS (weight, invocations, p50 ms)")]
    for e in endpoints:
        variants = "; ".join(f"{v.variant_name} ({v.current_weight:g}, {v.invocations}, "
                             f"{'-' if v.latency_p50_ms is None else f'{v.latency_p50_ms:.1f}'})" for v in e.variants)
        rows.append((e.name, e.status, e.url or "-", variants + (f"  {e.failure_reason}" if e.failure_reason else "")))
    return text_table(rows)


def _list(args: argparse.Namespace) -> list[EndpointDescription]:
    return list_endpoints()


def _describe(args: argparse.Namespace) -> list[dict[str, Any]]:
    return [describe_endpoint(name).to_dict() for name in args.names]


def _token(args: argparse.Namespace) -> None:
    print(endpoint_token(args.name))


def _delete(args: argparse.Namespace) -> None:
    names = [e.name for e in list_endpoints()] if args.all else args.names
    if not names and not args.all:
        raise ValidationError("endpoints delete: name the endpoints to delete, or give --all.")
    for name in names:
        delete_endpoint(name)
        print(f"Deleted endpoint {name}")


ENDPOINTS = VerbTable("endpoints", "list, describe and delete model endpoints; print their invoke tokens", (
    Verb("list", "endpoints, newest first, with their variants' traffic", _list, (
        arg("--json", action="store_true", help="JSON records"),
    )),
    Verb("describe", "everything about endpoints, as JSON", _describe, (
        arg("names", nargs="+", metavar="name", help="endpoint names"),
    )),
    Verb("token", "the endpoint's invoke token (send it as 'Authorization: Bearer <token>')", _token, (
        arg("name", help="endpoint name"),
    )),
    Verb("delete", "stop endpoints and free their ports", _delete, (
        arg("names", nargs="*", metavar="name", help="endpoint names"),
        arg("--all", action="store_true", help="every endpoint"),
    )),
), default_verb="list")
