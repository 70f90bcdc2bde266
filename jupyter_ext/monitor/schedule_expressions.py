"""Schedule expressions in SageMaker's words: `CronExpressionGenerator.hourly()` /
`.daily(hour)` / `.daily_every_x_hours(h)` / `.now()` give them, and `latest_tick` /
`previous_tick` turn them into run times (UTC). A run's window may be moved by offsets from
its scheduled time, as SageMaker's `DataAnalysisStartTime` / `DataAnalysisEndTime` ("-PT1H")
give them: `time_offset` reads those ISO 8601 durations.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from ..errors import ValidationError

__all__ = ["CronExpressionGenerator", "schedule_ticks", "latest_tick", "previous_tick", "time_offset"]


class CronExpressionGenerator:
    """Schedule expressions SageMaker accepts (UTC)."""

    @staticmethod
    def hourly() -> str:
        """Every hour, on the hour."""
        return "cron(0 * ? * * *)"

    @staticmethod
    def daily(hour: int = 0) -> str:
        """Every day at `hour` (0-23) UTC."""
        if not isinstance(hour, int) or not 0 <= hour <= 23:
            raise ValidationError(f"hour must be a whole number 0-23; got {hour!r}.")
        return f"cron(0 {hour} ? * * *)"

    @staticmethod
    def daily_every_x_hours(hour_interval: int, starting_hour: int = 0) -> str:
        """Every `hour_interval` hours from `starting_hour`."""
        if not isinstance(hour_interval, int) or not 1 <= hour_interval <= 23:
            raise ValidationError(f"hour_interval must be a whole number 1-23; got {hour_interval!r}.")
        return f"cron(0 {starting_hour}/{hour_interval} ? * * *)"

    @staticmethod
    def now() -> str:
        """Run once, as soon as possible (a one-time schedule)."""
        return "NOW"


_CRON = re.compile(r"^cron\((\S+) (\S+) \? \* \* \*\)$")


def _field(text: str, top: int, what: str, expression: str) -> list[int]:
    if text == "*":
        return list(range(top))
    match = re.fullmatch(r"(\d+)(?:/(\d+))?", text)
    if not match or int(match.group(1)) >= top or (match.group(2) and int(match.group(2)) < 1):
        raise ValidationError(f"Schedule {expression!r}: {what} field {text!r} is not a number below {top}, "
                              "N/STEP or *.")
    start, step = int(match.group(1)), int(match.group(2) or 0)
    return list(range(start, top, step)) if step else [start]


def _parse(expression: str) -> tuple[list[int], list[int]]:
    match = _CRON.fullmatch(expression or "")
    if not match:
        raise ValidationError(f"Schedule {expression!r}: use CronExpressionGenerator.hourly(), .daily(hour), "
                              ".daily_every_x_hours(h) or .now() — cron(M H ? * * *) in UTC.")
    return _field(match.group(1), 60, "minute", expression), _field(match.group(2), 24, "hour", expression)


def schedule_ticks(expression: str) -> None:
    """Check `expression` (ValidationError names what is wrong)."""
    if expression != "NOW":
        _parse(expression)


def latest_tick(expression: str, now: datetime) -> datetime:
    """The latest scheduled time at or before `now` (UTC) for a cron expression."""
    minutes, hours = _parse(expression)
    at = now.astimezone(timezone.utc).replace(second=0, microsecond=0)
    for _ in range(60 * 24 + 1):
        if at.minute in minutes and at.hour in hours:
            return at
        at -= timedelta(minutes=1)
    raise ValidationError(f"Schedule {expression!r} never fires.")  # unreachable for valid fields


def previous_tick(expression: str, tick: datetime) -> datetime:
    """The scheduled time before `tick`: the start of the window a run at `tick` analyses."""
    return latest_tick(expression, tick - timedelta(minutes=1))


_OFFSET = re.compile(r"^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def time_offset(text: str, what: str = "offset") -> timedelta:
    """An ISO 8601 duration as SageMaker writes window offsets ("-PT1H", "-P1D", "-PT0H",
    "-PT30M"); ValidationError naming `what` for anything else."""
    match = _OFFSET.fullmatch(str(text or ""))
    if not match or not any(match.groups()[1:]) or str(text).endswith("T"):
        raise ValidationError(f"{what} {text!r} is not an ISO 8601 duration such as -PT1H, -PT0H or -P1D "
                              "(an offset from the run's scheduled time).")
    sign, days, hours, minutes, seconds = match.groups()
    offset = timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0),
                       seconds=int(seconds or 0))
    return -offset if sign else offset
