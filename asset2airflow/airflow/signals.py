"""Airflow's control-flow exceptions raised by asset code (or by an operator an asset runs):
they reach Airflow as raised, not as a step failure, so a skip skips, a branch skips the tasks
it did not choose, a sensor reschedules and ``TriggerDagRunOperator`` triggers its run."""

from __future__ import annotations

from airflow.sdk.exceptions import (
    AirflowFailException,
    AirflowRescheduleException,
    AirflowSensorTimeout,
    AirflowSkipException,
    DagRunTriggerException,
    DownstreamTasksSkipped,
)

SIGNALS: tuple[type[BaseException], ...] = (
    AirflowSkipException,
    AirflowFailException,
    AirflowRescheduleException,
    AirflowSensorTimeout,
    DownstreamTasksSkipped,
    DagRunTriggerException,
)


def airflow_signal(error: BaseException) -> BaseException | None:
    """The control-flow exception in ``error``'s chain of causes, if any."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, SIGNALS):
            return current
        seen.add(id(current))
        current = current.__cause__
    return None
