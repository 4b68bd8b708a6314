"""Run status sensors: ``@run_status_sensor(run_status=...)`` and ``@run_failure_sensor``.

In Airflow each becomes a DAG callback (``on_failure_callback`` / ``on_success_callback``) of
the DAGs of its monitored jobs (default: every DAG of the same ``Definitions``). The callback
runs the function with a context naming the finished DAG run; Airflow runs DAG callbacks in the
DAG processor as soon as the run ends. No Airflow imports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asset2airflow.authoring.instigators import (
    EvaluationContext,
    description_of,
    read_instigator_signature,
)
from asset2airflow.authoring.names import check_name
from asset2airflow.authoring.run_requests import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    SkipReason,
)
from asset2airflow.authoring.sensors import DagsterEvent
from asset2airflow.authoring.targets import is_job
from asset2airflow.errors import DefinitionError

# The statuses an Airflow DAG callback can report.
CALLBACK_STATUSES = (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE)


@dataclass(frozen=True)
class DagsterRun:
    """The finished run (Dagster's ``DagsterRun`` fields): in Airflow ``job_name`` is the DAG
    id, ``run_id`` the DAG run id, ``run_config`` its conf."""

    job_name: str
    run_id: str
    status: DagsterRunStatus
    tags: Mapping[str, str] = field(default_factory=dict)
    run_config: Mapping[str, Any] = field(default_factory=dict)


class RunStatusSensorContext(EvaluationContext):
    """What a run status sensor receives: ``dagster_run``, ``dagster_event``, ``log``."""

    def __init__(
        self,
        *,
        sensor_name: str,
        dagster_run: DagsterRun,
        dagster_event: DagsterEvent,
        step_events: Sequence[DagsterEvent] = (),
        log: Any = None,
    ) -> None:
        super().__init__(name=sensor_name, log=log)
        self.sensor_name = sensor_name
        self.dagster_run = dagster_run
        self.dagster_event = dagster_event
        self._step_events = tuple(step_events)


class RunFailureSensorContext(RunStatusSensorContext):
    """What a run failure sensor receives; ``failure_event.message`` says what failed."""

    @property
    def failure_event(self) -> DagsterEvent:
        return self.dagster_event

    def get_step_failure_events(self) -> list[DagsterEvent]:
        """The failed task's event (Airflow reports the task that ended the run)."""
        return [e for e in self._step_events if e.event_type_value == "STEP_FAILURE"]


def build_run_status_sensor_context(
    sensor_name: str,
    dagster_event: DagsterEvent,
    dagster_run: DagsterRun,
    dagster_instance: Any = None,
) -> RunStatusSensorContext:
    """A context for calling a run status sensor in a unit test (Dagster's arguments)."""
    cls = (
        RunFailureSensorContext
        if dagster_run.status is DagsterRunStatus.FAILURE
        else RunStatusSensorContext
    )
    return cls(sensor_name=sensor_name, dagster_run=dagster_run, dagster_event=dagster_event)


class RunStatusSensorDefinition:
    """A function run when a monitored job's run reaches ``run_status``."""

    def __init__(
        self,
        name: str,
        run_status: DagsterRunStatus,
        fn: Callable[..., Any],
        monitored_jobs: Sequence[Any] | None,
        description: str | None,
    ) -> None:
        self.name = check_name(name, "sensor")
        what = f"run status sensor {self.name!r}"
        if run_status not in CALLBACK_STATUSES:
            raise DefinitionError(
                f"{what}: run_status={run_status!r} is not built: an Airflow DAG callback "
                "reports SUCCESS or FAILURE only."
            )
        self.run_status = run_status
        jobs = tuple(monitored_jobs or ())
        bad = [j for j in jobs if not is_job(j)]
        if bad:
            raise DefinitionError(
                f"{what}: monitored_jobs holds {bad!r}; pass jobs (define_asset_job or @job)."
            )
        self.monitored_jobs = jobs
        self.description = description_of(fn, description)
        self._fn = fn
        self._signature = read_instigator_signature(fn, what)

    @property
    def monitors_all(self) -> bool:
        return not self.monitored_jobs

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fn(*args, **kwargs)

    def evaluate(self, context: RunStatusSensorContext) -> str | None:
        """Run the function; the skip message it returned, if any."""
        what = f"run status sensor {self.name!r}"
        result = self._signature.call(what, context, {})
        for item in result if isinstance(result, list) else [result]:
            if isinstance(item, RunRequest):
                raise DefinitionError(
                    f"{what} returned a RunRequest: request_job is not built (Airflow runs DAG "
                    "callbacks in the DAG processor, which cannot start DAG runs). Put the work "
                    "in the function, or use an asset sensor on the job's assets."
                )
            if isinstance(item, SkipReason):
                return item.skip_message
        return None


_REFUSED = {
    "minimum_interval_seconds": "the callback runs as soon as the run ends",
    "request_job": "Airflow runs DAG callbacks in the DAG processor, which cannot start runs",
    "request_jobs": "Airflow runs DAG callbacks in the DAG processor, which cannot start runs",
    "monitor_all_code_locations": "callbacks are attached to the DAGs of this Definitions",
    "monitor_all_repositories": "callbacks are attached to the DAGs of this Definitions",
    "default_status": (
        "an Airflow DAG callback cannot be stopped: it runs from the start (default_status="
        "DefaultSensorStatus.RUNNING is accepted)"
    ),
}


def _refuse_unbuilt(what: str, given: Mapping[str, Any]) -> None:
    for argument, value in given.items():
        if argument == "default_status" and value in (None, DefaultSensorStatus.RUNNING):
            continue
        if value is not None and value is not False:
            raise DefinitionError(f"{what}: {argument}= is not built: {_REFUSED[argument]}.")


def run_status_sensor(
    run_status: DagsterRunStatus,
    name: str | None = None,
    minimum_interval_seconds: int | None = None,
    description: str | None = None,
    monitored_jobs: Sequence[Any] | None = None,
    job_selection: Sequence[Any] | None = None,
    monitor_all_code_locations: bool | None = None,
    default_status: Any = None,
    request_job: Any = None,
    request_jobs: Sequence[Any] | None = None,
    monitor_all_repositories: bool | None = None,
) -> Callable[[Callable[..., Any]], RunStatusSensorDefinition]:
    """Run the function (``context: RunStatusSensorContext``) when a run of a monitored job
    (default: every job of the ``Definitions``) ends with ``run_status``."""

    def decorate(fn: Callable[..., Any]) -> RunStatusSensorDefinition:
        sensor_name = name or fn.__name__
        _refuse_unbuilt(
            f"run status sensor {sensor_name!r}",
            {
                "minimum_interval_seconds": minimum_interval_seconds,
                "request_job": request_job,
                "request_jobs": request_jobs,
                "monitor_all_code_locations": monitor_all_code_locations,
                "monitor_all_repositories": monitor_all_repositories,
                "default_status": default_status,
            },
        )
        if monitored_jobs is not None and job_selection is not None:
            raise DefinitionError(
                f"run status sensor {sensor_name!r}: pass monitored_jobs or job_selection"
            )
        jobs = monitored_jobs if monitored_jobs is not None else job_selection
        return RunStatusSensorDefinition(sensor_name, run_status, fn, jobs, description)

    return decorate


def run_failure_sensor(
    name: Any = None,
    minimum_interval_seconds: int | None = None,
    description: str | None = None,
    monitored_jobs: Sequence[Any] | None = None,
    job_selection: Sequence[Any] | None = None,
    monitor_all_code_locations: bool | None = None,
    default_status: Any = None,
    request_job: Any = None,
    request_jobs: Sequence[Any] | None = None,
    monitor_all_repositories: bool | None = None,
) -> Any:
    """Run the function (``context: RunFailureSensorContext``) when a run of a monitored job
    fails; ``@run_failure_sensor`` also works without parentheses."""
    if callable(name):
        return run_status_sensor(DagsterRunStatus.FAILURE)(name)
    return run_status_sensor(
        DagsterRunStatus.FAILURE,
        name=name,
        minimum_interval_seconds=minimum_interval_seconds,
        description=description,
        monitored_jobs=monitored_jobs,
        job_selection=job_selection,
        monitor_all_code_locations=monitor_all_code_locations,
        default_status=default_status,
        request_job=request_job,
        request_jobs=request_jobs,
        monitor_all_repositories=monitor_all_repositories,
    )
