"""Schedules: ``ScheduleDefinition``, ``@schedule``, ``build_schedule_from_partitioned_job``.

In Airflow (see ``asset2airflow.airflow.instigator_plan``): a pure cron schedule (no function,
a fixed run config) is the target DAG's own ``CronTriggerTimetable`` when nothing else starts
that DAG; otherwise a small schedule DAG evaluates the function on the cron, at run time, and
triggers the target DAG. ``default_status`` decides whether the DAG is created paused.
No Airflow imports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from asset2airflow.authoring.config import RunConfig, run_config_dict
from asset2airflow.authoring.cron import check_cron, check_timezone
from asset2airflow.authoring.dynamic_partitions import DynamicPartitionsStore
from asset2airflow.authoring.instigators import (
    EvaluationContext,
    InstigatorSignature,
    description_of,
    read_instigator_signature,
)
from asset2airflow.authoring.names import check_name
from asset2airflow.authoring.run_requests import (
    DefaultScheduleStatus,
    RunRequest,
    SkipReason,
    TickResult,
    tick_result,
)
from asset2airflow.authoring.targets import job_name, resolve_jobs
from asset2airflow.errors import DefinitionError


class ScheduleEvaluationContext(EvaluationContext):
    """What a ``@schedule`` function receives: ``scheduled_execution_time`` (the cron tick, in
    the schedule's timezone), ``resources``, ``log``, ``instance``."""

    def __init__(
        self,
        *,
        scheduled_execution_time: dt.datetime | None,
        schedule_name: str | None = None,
        resources: Mapping[str, Any] | None = None,
        instance: DynamicPartitionsStore | None = None,
        log: Any = None,
    ) -> None:
        super().__init__(name=schedule_name, resources=resources, instance=instance, log=log)
        self.scheduled_execution_time = scheduled_execution_time
        self.schedule_name = schedule_name


def build_schedule_context(
    instance: DynamicPartitionsStore | None = None,
    scheduled_execution_time: dt.datetime | None = None,
    resources: Mapping[str, Any] | None = None,
) -> ScheduleEvaluationContext:
    """A context for calling a schedule in a unit test (Dagster's name and arguments)."""
    return ScheduleEvaluationContext(
        scheduled_execution_time=scheduled_execution_time, resources=resources, instance=instance
    )


_NOT_BUILT = {
    "environment_vars": "set environment variables on the Airflow workers instead.",
    "metadata": "schedule metadata is not shown in Airflow yet; use description=.",
    "required_resource_keys": "annotate the function's parameters with their resource class.",
}


class ScheduleDefinition:
    """Run a job on a cron schedule (Dagster's arguments).

    ``cron_schedule`` is a cron string (or a list: runs on each); ``execution_timezone`` its
    IANA timezone (default UTC). ``run_config`` a fixed config for every run; or a function
    (``execution_fn``, ``run_config_fn``, ``should_execute``, ``tags_fn``) decides per tick.
    """

    def __init__(
        self,
        name: str | None = None,
        *,
        cron_schedule: str | Sequence[str] | None = None,
        job_name: str | None = None,
        run_config: Mapping[str, Any] | RunConfig | None = None,
        run_config_fn: Callable[..., Any] | None = None,
        tags: Mapping[str, str] | None = None,
        tags_fn: Callable[..., Any] | None = None,
        should_execute: Callable[..., bool] | None = None,
        environment_vars: Mapping[str, str] | None = None,
        execution_timezone: str | None = None,
        execution_fn: Callable[..., Any] | None = None,
        description: str | None = None,
        job: Any = None,
        default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
        required_resource_keys: set[str] | None = None,
        target: Any = None,
        metadata: Mapping[str, Any] | None = None,
        owners: Sequence[str] | None = None,
    ) -> None:
        what = f"schedule {name!r}" if name else "ScheduleDefinition"
        for argument, value in (
            ("environment_vars", environment_vars),
            ("metadata", metadata),
            ("required_resource_keys", required_resource_keys),
        ):
            if value:
                raise DefinitionError(f"{what}: {argument}= is not built: {_NOT_BUILT[argument]}")
        if execution_fn is not None and (run_config is not None or run_config_fn is not None):
            raise DefinitionError(f"{what}: pass execution_fn or run_config(_fn), not both.")
        if run_config is not None and run_config_fn is not None:
            raise DefinitionError(f"{what}: pass run_config or run_config_fn, not both.")
        self.jobs = resolve_jobs(
            what, name or "schedule", job=job, target=target, job_name_arg=job_name
        )
        self.job = self.jobs[0]
        self.name = check_name(name or f"{job_name_of(self.job)}_schedule", "schedule")
        if name is None and not _is_job_target(job, target):
            raise DefinitionError(
                "ScheduleDefinition(target=...) of assets needs name=...: the name also names "
                "the job made for the assets."
            )
        what = f"schedule {self.name!r}"
        self.cron_schedules = _crons(cron_schedule, what)
        self.execution_timezone = check_timezone(execution_timezone or "UTC", what)
        if not isinstance(default_status, DefaultScheduleStatus):
            raise DefinitionError(
                f"{what}: default_status={default_status!r}; use DefaultScheduleStatus.RUNNING "
                "or .STOPPED"
            )
        self.default_status = default_status
        self.description = description
        self.tags = dict(tags or {})
        self.owners = tuple(owners or ())
        self.run_config = run_config_dict(run_config) if run_config is not None else None
        self._execution_fn = execution_fn
        self._run_config_fn = run_config_fn
        self._tags_fn = tags_fn
        self._should_execute = should_execute
        self._signature: InstigatorSignature | None = (
            read_instigator_signature(execution_fn, what) if execution_fn is not None else None
        )
        self.from_partitions = False

    @property
    def cron_schedule(self) -> str | Sequence[str]:
        crons = self.cron_schedules
        return crons[0] if len(crons) == 1 else list(crons)

    @property
    def is_pure_cron(self) -> bool:
        """No function and no run tags: the schedule can be the target DAG's own timetable."""
        return (
            self._execution_fn is None
            and self._run_config_fn is None
            and self._tags_fn is None
            and self._should_execute is None
            and not self.tags
            and len(self.jobs) == 1
        )

    @property
    def job_name(self) -> str:
        return job_name_of(self.job)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the schedule's function directly, as Dagster does (for unit tests)."""
        if self._execution_fn is None:
            raise DefinitionError(f"schedule {self.name!r} has no function to call")
        return self._execution_fn(*args, **kwargs)

    def evaluate_tick(
        self, context: ScheduleEvaluationContext, resources: Mapping[str, Any] | None = None
    ) -> TickResult:
        """Evaluate the schedule for one tick: the runs to start, or why none."""
        what = f"schedule {self.name!r}"
        if context.schedule_name is None:
            context.schedule_name = self.name
        given = dict(resources or context.resources.original_dict())
        if self._signature is not None:
            value = self._signature.call(what, context, given)
            return tick_result(value, what, allow_run_config=True)
        if self._should_execute is not None and not self._should_execute(context):
            return TickResult(skip_message=f"{what}: should_execute returned False")
        config = (
            run_config_dict(self._run_config_fn(context))
            if self._run_config_fn is not None
            else self.run_config
        )
        tags = dict(self._tags_fn(context) or {}) if self._tags_fn is not None else self.tags
        return TickResult((RunRequest(run_config=config, tags=tags),))


def job_name_of(job: Any) -> str:
    return job_name(job)


def _is_job_target(job: Any, target: Any) -> bool:
    from asset2airflow.authoring.targets import is_job

    return job is not None or (target is not None and is_job(target))


def _crons(cron_schedule: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    if cron_schedule is None:
        raise DefinitionError(f"{what} has no cron_schedule; pass e.g. '0 6 * * *'.")
    crons = [cron_schedule] if isinstance(cron_schedule, str) else list(cron_schedule)
    if not crons:
        raise DefinitionError(f"{what}: cron_schedule is an empty list")
    return tuple(check_cron(c, what) for c in crons)


def schedule(
    cron_schedule: Any = None,
    *,
    job_name: str | None = None,
    name: str | None = None,
    tags: Mapping[str, str] | None = None,
    tags_fn: Callable[..., Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    should_execute: Callable[..., bool] | None = None,
    environment_vars: Mapping[str, str] | None = None,
    execution_timezone: str | None = None,
    description: str | None = None,
    job: Any = None,
    default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
    required_resource_keys: set[str] | None = None,
    target: Any = None,
    owners: Sequence[str] | None = None,
) -> Any:
    """A schedule whose function (``context: ScheduleEvaluationContext``) returns or yields
    ``RunRequest``s, a run config dict, or a ``SkipReason``. Evaluated at run time only."""
    if callable(cron_schedule):
        raise DefinitionError(
            f"@schedule on {getattr(cron_schedule, '__name__', cron_schedule)!r} needs "
            "arguments: @schedule(cron_schedule='0 6 * * *', job=my_job)."
        )

    def decorate(fn: Callable[..., Any]) -> ScheduleDefinition:
        if should_execute is not None:
            raise DefinitionError(
                f"@schedule {fn.__name__!r}: should_execute= with a function is not built; "
                "return SkipReason(...) from the function instead."
            )
        if tags_fn is not None:
            raise DefinitionError(
                f"@schedule {fn.__name__!r}: tags_fn= is not built; return "
                "RunRequest(tags=...) from the function instead."
            )
        return ScheduleDefinition(
            name=name or fn.__name__,
            cron_schedule=cron_schedule,
            job_name=job_name,
            tags=tags,
            environment_vars=environment_vars,
            execution_timezone=execution_timezone,
            execution_fn=fn,
            description=description_of(fn, description),
            job=job,
            default_status=default_status,
            required_resource_keys=required_resource_keys,
            target=target,
            metadata=metadata,
            owners=owners,
        )

    return decorate


def build_schedule_from_partitioned_job(
    job: Any,
    description: str | None = None,
    name: str | None = None,
    minute_of_hour: int | None = None,
    hour_of_day: int | None = None,
    day_of_week: int | None = None,
    day_of_month: int | None = None,
    default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
    tags: Mapping[str, str] | None = None,
    cron_schedule: str | None = None,
    execution_timezone: str | None = None,
) -> ScheduleDefinition:
    """A schedule running a time-partitioned job once per partition, when the partition's
    window ends. In Airflow the job's DAG already has the partitions' ``CronPartitionTimetable``:
    this schedule decides whether that DAG starts paused (``default_status``)."""
    what = f"build_schedule_from_partitioned_job({job_name_of(job)!r})"
    offsets = {
        "minute_of_hour": minute_of_hour,
        "hour_of_day": hour_of_day,
        "day_of_week": day_of_week,
        "day_of_month": day_of_month,
        "cron_schedule": cron_schedule,
        "execution_timezone": execution_timezone,
        "tags": tags,
    }
    given = [k for k, v in offsets.items() if v is not None]
    if given:
        raise DefinitionError(
            f"{what}: {', '.join(given)} not built: the schedule follows the partitions' own "
            "cron and timezone (Airflow's CronPartitionTimetable); set minute_offset/hour_offset/"
            "day_offset and timezone on the partitions definition instead."
        )
    definition = ScheduleDefinition(
        name=name,
        cron_schedule="@daily",  # placeholder; the plan uses the partitions' cron
        job=job,
        description=description,
        default_status=default_status,
    )
    definition.cron_schedules = ()
    definition.from_partitions = True
    return definition


__all__ = [
    "DefaultScheduleStatus",
    "RunRequest",
    "ScheduleDefinition",
    "ScheduleEvaluationContext",
    "SkipReason",
    "build_schedule_context",
    "build_schedule_from_partitioned_job",
    "schedule",
]
