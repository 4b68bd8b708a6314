"""Checks on a ``Definitions``' schedules and sensors, and the jobs they bring along.

Names are unique across schedules and sensors (each becomes an Airflow DAG id, or names one);
the jobs they target or monitor join ``Definitions.jobs`` (as in Dagster, a job given only to a
schedule is still defined), so their DAGs exist and their selections are validated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from asset2airflow.authoring.run_status_sensors import RunStatusSensorDefinition
from asset2airflow.authoring.schedules import ScheduleDefinition
from asset2airflow.authoring.sensors import SensorDefinition
from asset2airflow.errors import DefinitionError, DuplicateKeyError

Sensor = SensorDefinition | RunStatusSensorDefinition


def check_instigators(
    schedules: Iterable[Any] | None, sensors: Iterable[Any] | None
) -> tuple[list[ScheduleDefinition], list[Sensor]]:
    """The schedules and sensors (each object once), checked; raises naming the culprit."""
    checked_schedules = _unique(schedules)
    checked_sensors = _unique(sensors)
    for value in checked_schedules:
        if not isinstance(value, ScheduleDefinition):
            hint = " (a sensor: pass it in sensors=[...])" if _is_sensor(value) else ""
            raise DefinitionError(
                f"Definitions(schedules=...) got {value!r}{hint}; pass ScheduleDefinition, "
                "@schedule or build_schedule_from_partitioned_job results."
            )
    for value in checked_sensors:
        if not _is_sensor(value):
            hint = (
                " (a schedule: pass it in schedules=[...])"
                if isinstance(value, ScheduleDefinition)
                else ""
            )
            raise DefinitionError(
                f"Definitions(sensors=...) got {value!r}{hint}; pass @sensor, @asset_sensor, "
                "@run_status_sensor or @run_failure_sensor results."
            )
    seen: dict[str, str] = {}
    for kind, value in [("schedule", s) for s in checked_schedules] + [
        ("sensor", s) for s in checked_sensors
    ]:
        other = seen.get(value.name)
        if other is not None:
            raise DuplicateKeyError(
                f"{other} and {kind} are both named {value.name!r}; schedule and sensor names "
                "are unique (each names an Airflow DAG): rename one."
            )
        seen[value.name] = kind
    return checked_schedules, checked_sensors


def instigator_jobs(
    schedules: Sequence[ScheduleDefinition], sensors: Sequence[Sensor]
) -> list[Any]:
    """The jobs schedules and sensors start or monitor, in declaration order."""
    jobs: list[Any] = []
    for schedule in schedules:
        jobs.extend(schedule.jobs)
    for sensor in sensors:
        if isinstance(sensor, RunStatusSensorDefinition):
            jobs.extend(sensor.monitored_jobs)
        else:
            jobs.extend(sensor.jobs)
    return jobs


def _is_sensor(value: Any) -> bool:
    return isinstance(value, (SensorDefinition, RunStatusSensorDefinition))


def _unique(values: Iterable[Any] | None) -> list[Any]:
    seen: set[int] = set()
    result = []
    for value in values or ():
        if id(value) not in seen:
            seen.add(id(value))
            result.append(value)
    return result
