"""Endpoints as text, for the magics, the CLI and papermill runs."""

from __future__ import annotations

from ..models import EndpointDescription

__all__ = ["endpoints_table"]


def endpoints_table(endpoints: list[EndpointDescription]) -> str:
    """Endpoints as a text table: name, status, URL and each variant's weight and traffic."""
    if not endpoints:
        return "No endpoints."
    rows = [("NAME", "STATUS", "URL", "VARIANTS (weight, invocations, p50 ms)")]
    for e in endpoints:
        variants = "; ".join(f"{v.variant_name} ({v.current_weight:g}, {v.invocations}, "
                             f"{'-' if v.latency_p50_ms is None else f'{v.latency_p50_ms:.1f}'})" for v in e.variants)
        rows.append((e.name, e.status, e.url or "-", variants + (f"  {e.failure_reason}" if e.failure_reason else "")))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[3] for r in rows)
