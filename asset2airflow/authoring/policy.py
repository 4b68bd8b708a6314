"""Retry policies and automation conditions: how and when an asset is (re)run.

``AutomationCondition`` lives in ``asset2airflow.authoring.automation`` (re-exported here)."""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

from asset2airflow.authoring.automation import AutomationCondition


class Backoff(enum.Enum):
    LINEAR = "LINEAR"
    EXPONENTIAL = "EXPONENTIAL"


class Jitter(enum.Enum):
    """Randomness added to retry delays (as in Dagster), so retries of many tasks spread out:
    ``FULL`` waits a random time up to the delay, ``PLUS_MINUS`` the delay give or take up to
    the base ``delay``."""

    FULL = "FULL"
    PLUS_MINUS = "PLUS_MINUS"


class RetryRequested(Exception):
    """Raise from asset code to run it again, up to ``max_retries`` times, waiting
    ``seconds_to_wait`` first (also in Airflow, where it retries inside the task)."""

    def __init__(self, max_retries: int = 1, seconds_to_wait: float | None = None) -> None:
        super().__init__(
            f"retry requested (max_retries={max_retries}, seconds_to_wait={seconds_to_wait})"
        )
        self.max_retries = max_retries
        self.seconds_to_wait = seconds_to_wait


@dataclass(frozen=True)
class RetryPolicy:
    """Retry a failed asset ``max_retries`` times, waiting ``delay`` seconds (grown by ``backoff``).

    In Airflow this becomes the task's ``retries``/``retry_delay``/``retry_exponential_backoff``.
    """

    max_retries: int = 1
    delay: float | None = None
    backoff: Backoff | None = None
    jitter: Jitter | None = None

    def delay_before_attempt(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based), jitter included."""
        base = float(self.delay or 0.0)
        if self.backoff is Backoff.EXPONENTIAL:
            delay = base * float(2 ** (attempt - 1))
        elif self.backoff is Backoff.LINEAR:
            delay = base * attempt
        else:
            delay = base
        if self.jitter is Jitter.FULL:
            return random.uniform(0.0, delay)
        if self.jitter is Jitter.PLUS_MINUS:
            return max(0.0, delay + random.uniform(-base, base))
        return delay


__all__ = ["AutomationCondition", "Backoff", "Jitter", "RetryPolicy", "RetryRequested"]
