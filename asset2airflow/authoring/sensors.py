"""Sensors: ``@sensor`` (a function evaluated every ``minimum_interval_seconds``, with a durable
cursor) and ``@asset_sensor`` (a function called for each new event of one asset).

In Airflow (see ``asset2airflow.airflow.instigator_plan``): a sensor is a DAG on an interval
timetable whose one short task evaluates the function (no worker slot is held in between),
keeps the cursor and the run keys it used in Airflow's asset state store, and triggers the
target DAG per run request. An asset sensor is a DAG scheduled on that Airflow ``Asset``.
No Airflow imports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asset2airflow.authoring.dynamic_partitions import DynamicPartitionsStore
from asset2airflow.authoring.instigators import (
    EvaluationContext,
    description_of,
    read_instigator_signature,
)
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.authoring.metadata import MetadataValue
from asset2airflow.authoring.names import check_name
from asset2airflow.authoring.results import AssetMaterialization
from asset2airflow.authoring.run_requests import (
    _UNSET,
    DefaultSensorStatus,
    TickResult,
    tick_result,
)
from asset2airflow.authoring.targets import resolve_jobs
from asset2airflow.errors import DefinitionError

DEFAULT_MINIMUM_INTERVAL_SECONDS = 30
"""Dagster's default time between two evaluations of a sensor."""


class SensorEvaluationContext(EvaluationContext):
    """What a ``@sensor`` function receives: ``cursor`` (kept across evaluations; in Airflow in
    its metadata DB), ``update_cursor``, ``last_run_key``, ``last_tick_completion_time``,
    ``resources``, ``log``, ``instance``."""

    def __init__(
        self,
        *,
        cursor: str | None = None,
        last_run_key: str | None = None,
        last_tick_completion_time: float | None = None,
        sensor_name: str | None = None,
        resources: Mapping[str, Any] | None = None,
        instance: DynamicPartitionsStore | None = None,
        log: Any = None,
    ) -> None:
        super().__init__(name=sensor_name, resources=resources, instance=instance, log=log)
        self._cursor = cursor
        self._new_cursor: Any = _UNSET
        self.last_run_key = last_run_key
        self.last_tick_completion_time = last_tick_completion_time
        self.sensor_name = sensor_name

    @property
    def cursor(self) -> str | None:
        """The cursor the last successful evaluation stored (``None`` at first)."""
        return self._cursor if self._new_cursor is _UNSET else self._new_cursor

    def update_cursor(self, cursor: str | None) -> None:
        """Store ``cursor`` for the next evaluation (kept only if this evaluation succeeds)."""
        if cursor is not None and not isinstance(cursor, str):
            raise DefinitionError(
                f"sensor {self.sensor_name!r}: update_cursor({cursor!r}) takes a string; "
                "serialize it (e.g. json.dumps)."
            )
        self._new_cursor = cursor

    @property
    def last_completion_time(self) -> float | None:
        return self.last_tick_completion_time


def build_sensor_context(
    instance: DynamicPartitionsStore | None = None,
    cursor: str | None = None,
    sensor_name: str | None = None,
    resources: Mapping[str, Any] | None = None,
    last_run_key: str | None = None,
    last_tick_completion_time: float | None = None,
) -> SensorEvaluationContext:
    """A context for calling a sensor in a unit test (Dagster's name and arguments)."""
    return SensorEvaluationContext(
        cursor=cursor,
        last_run_key=last_run_key,
        last_tick_completion_time=last_tick_completion_time,
        sensor_name=sensor_name,
        resources=resources,
        instance=instance,
    )


_NOT_BUILT = {
    "required_resource_keys": "annotate the function's parameters with their resource class.",
    "metadata": "sensor metadata is not shown in Airflow yet; use description=.",
}


class SensorDefinition:
    """A sensor (Dagster's arguments); made by ``@sensor``. ``jobs``: the jobs its run requests
    may start (``RunRequest(job_name=...)`` picks one when there are several)."""

    def __init__(
        self,
        name: str | None = None,
        *,
        evaluation_fn: Callable[..., Any] | None = None,
        job_name: str | None = None,
        minimum_interval_seconds: int | None = None,
        description: str | None = None,
        job: Any = None,
        jobs: Sequence[Any] | None = None,
        default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
        asset_selection: Any = None,
        required_resource_keys: set[str] | None = None,
        tags: Mapping[str, str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        target: Any = None,
        owners: Sequence[str] | None = None,
        _takes_event: bool = False,
    ) -> None:
        if evaluation_fn is None:
            raise DefinitionError(f"sensor {name!r} has no evaluation function")
        self.name = check_name(name or evaluation_fn.__name__, "sensor")
        what = f"sensor {self.name!r}"
        for argument, value in (
            ("required_resource_keys", required_resource_keys),
            ("metadata", metadata),
        ):
            if value:
                raise DefinitionError(f"{what}: {argument}= is not built: {_NOT_BUILT[argument]}")
        if asset_selection is not None and target is not None:
            raise DefinitionError(f"{what}: pass target= (or asset_selection=), not both.")
        self.jobs = resolve_jobs(
            what,
            self.name,
            job=job,
            jobs=jobs,
            target=target if target is not None else asset_selection,
            job_name_arg=job_name,
            required=False,
        )
        interval = (
            DEFAULT_MINIMUM_INTERVAL_SECONDS
            if minimum_interval_seconds is None
            else minimum_interval_seconds
        )
        if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
            raise DefinitionError(
                f"{what}: minimum_interval_seconds={minimum_interval_seconds!r}; use a whole "
                "number of seconds >= 1."
            )
        self.minimum_interval_seconds = interval
        if not isinstance(default_status, DefaultSensorStatus):
            raise DefinitionError(
                f"{what}: default_status={default_status!r}; use DefaultSensorStatus.RUNNING or "
                ".STOPPED"
            )
        self.default_status = default_status
        self.description = description_of(evaluation_fn, description)
        self.tags = dict(tags or {})
        self.owners = tuple(owners or ())
        self._fn = evaluation_fn
        self._signature = read_instigator_signature(evaluation_fn, what, takes_event=_takes_event)

    @property
    def job(self) -> Any:
        if len(self.jobs) != 1:
            raise DefinitionError(f"sensor {self.name!r} has {len(self.jobs)} jobs, not one")
        return self.jobs[0]

    @property
    def job_name(self) -> str | None:
        return str(self.jobs[0].name) if len(self.jobs) == 1 else None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the sensor's function directly, as Dagster does (for unit tests)."""
        return self._fn(*args, **kwargs)

    def evaluate_tick(
        self,
        context: SensorEvaluationContext,
        resources: Mapping[str, Any] | None = None,
        event: Any = None,
    ) -> TickResult:
        """Evaluate once: run requests (or why none), the cursor to keep, partition requests."""
        what = f"sensor {self.name!r}"
        if context.sensor_name is None:
            context.sensor_name = self.name
        given = dict(resources or context.resources.original_dict())
        value = self._signature.call(what, context, given, event)
        return tick_result(value, what, allow_run_config=False, cursor=context._new_cursor)


def sensor(
    job_name: str | None = None,
    *,
    name: str | None = None,
    minimum_interval_seconds: int | None = None,
    description: str | None = None,
    job: Any = None,
    jobs: Sequence[Any] | None = None,
    default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
    asset_selection: Any = None,
    required_resource_keys: set[str] | None = None,
    tags: Mapping[str, str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    target: Any = None,
    owners: Sequence[str] | None = None,
) -> Callable[[Callable[..., Any]], SensorDefinition]:
    """A sensor: its function (``context: SensorEvaluationContext``) returns or yields
    ``RunRequest``s, a ``SkipReason`` or a ``SensorResult``. Evaluated at run time only."""
    if callable(job_name):
        raise DefinitionError(
            f"@sensor on {getattr(job_name, '__name__', job_name)!r} needs arguments: "
            "@sensor(job=my_job) or @sensor(target=[...])."
        )

    def decorate(fn: Callable[..., Any]) -> SensorDefinition:
        return SensorDefinition(
            name=name or fn.__name__,
            evaluation_fn=fn,
            job_name=job_name,
            minimum_interval_seconds=minimum_interval_seconds,
            description=description,
            job=job,
            jobs=jobs,
            default_status=default_status,
            asset_selection=asset_selection,
            required_resource_keys=required_resource_keys,
            tags=tags,
            metadata=metadata,
            target=target,
            owners=owners,
        )

    return decorate


# --- asset sensors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DagsterEvent:
    """The event inside an ``EventLogEntry`` (the fields asset sensors read)."""

    event_type_value: str
    job_name: str | None
    asset_key: AssetKey | None = None
    partition: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class EventLogEntry:
    """One materialization of the monitored asset, as an asset sensor receives it: in Airflow,
    an asset event (``run_id``/``job_name`` name the producing DAG run, ``timestamp`` is POSIX
    seconds, ``asset_materialization.metadata`` the metadata the asset reported)."""

    run_id: str
    timestamp: float
    job_name: str | None
    dagster_event: DagsterEvent
    asset_materialization: AssetMaterialization | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def asset_key(self) -> AssetKey | None:
        return self.dagster_event.asset_key


def event_log_entry(
    asset_key: AssetKey,
    *,
    run_id: str,
    job_name: str | None,
    timestamp: dt.datetime | float,
    extra: Mapping[str, Any] | None = None,
    partition: str | None = None,
) -> EventLogEntry:
    """An ``EventLogEntry`` for an asset event whose ``extra`` asset2airflow wrote (metadata
    in ``extra["metadata"]``); events written by other Airflow tasks have no metadata."""
    extra = dict(extra or {})
    metadata = {
        str(k): MetadataValue.from_json(v)
        for k, v in (extra.get("metadata") or {}).items()
        if isinstance(v, Mapping) and "type" in v
    }
    partition = partition or extra.get("partition")
    seconds = timestamp.timestamp() if isinstance(timestamp, dt.datetime) else float(timestamp)
    return EventLogEntry(
        run_id=run_id,
        timestamp=seconds,
        job_name=job_name,
        dagster_event=DagsterEvent("ASSET_MATERIALIZATION", job_name, asset_key, partition),
        asset_materialization=AssetMaterialization(asset_key, metadata, partition),
        extra=extra,
    )


class AssetSensorDefinition(SensorDefinition):
    """A sensor called with each new materialization of ``asset_key`` (``@asset_sensor``)."""

    def __init__(self, asset_key: AssetKey, **kwargs: Any) -> None:
        super().__init__(_takes_event=True, **kwargs)
        self.asset_key = asset_key


def asset_sensor(
    asset_key: Any,
    *,
    job_name: str | None = None,
    name: str | None = None,
    minimum_interval_seconds: int | None = None,
    description: str | None = None,
    job: Any = None,
    jobs: Sequence[Any] | None = None,
    default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
    required_resource_keys: set[str] | None = None,
    tags: Mapping[str, str] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Callable[[Callable[..., Any]], AssetSensorDefinition]:
    """A sensor whose function ``(context, asset_event: EventLogEntry)`` runs for each new
    materialization of ``asset_key``; in Airflow a DAG scheduled on that ``Asset``."""
    key = AssetKey.from_coercible(asset_key)

    def decorate(fn: Callable[..., Any]) -> AssetSensorDefinition:
        sensor_name = name or fn.__name__
        if minimum_interval_seconds is not None:
            raise DefinitionError(
                f"asset sensor {sensor_name!r}: minimum_interval_seconds is not built: Airflow "
                "runs the asset sensor's DAG as soon as the asset event is recorded."
            )
        return AssetSensorDefinition(
            key,
            name=sensor_name,
            evaluation_fn=fn,
            job_name=job_name,
            description=description,
            job=job,
            jobs=jobs,
            default_status=default_status,
            required_resource_keys=required_resource_keys,
            tags=tags,
            metadata=metadata,
        )

    return decorate
