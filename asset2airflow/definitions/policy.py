"""Retry policies and automation conditions: how and when an asset is (re)run."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Backoff(enum.Enum):
    LINEAR = "LINEAR"
    EXPONENTIAL = "EXPONENTIAL"


@dataclass(frozen=True)
class RetryPolicy:
    """Retry a failed asset ``max_retries`` times, waiting ``delay`` seconds (grown by ``backoff``).

    In Airflow this becomes the task's ``retries``/``retry_delay``/``retry_exponential_backoff``.
    """

    max_retries: int = 1
    delay: float | None = None
    backoff: Backoff | None = None

    def delay_before_attempt(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        base = float(self.delay or 0.0)
        if self.backoff is Backoff.EXPONENTIAL:
            return base * float(2 ** (attempt - 1))
        if self.backoff is Backoff.LINEAR:
            return base * attempt
        return base


@dataclass(frozen=True)
class AutomationCondition:
    """When an asset should run on its own: ``eager()`` (when upstreams update) or ``on_cron``.

    In Airflow, eager becomes an asset-triggered schedule and on_cron a cron schedule.
    """

    kind: str
    cron_schedule: str | None = None
    cron_timezone: str = "UTC"

    @staticmethod
    def eager() -> AutomationCondition:
        return AutomationCondition("eager")

    @staticmethod
    def on_cron(cron_schedule: str, cron_timezone: str = "UTC") -> AutomationCondition:
        return AutomationCondition("on_cron", cron_schedule, cron_timezone)
