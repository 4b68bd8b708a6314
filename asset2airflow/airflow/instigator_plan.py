"""Schedules and sensors -> Airflow, as plain data (no Airflow imports).

- A **pure cron schedule** (``ScheduleDefinition`` without a function or run tags) on a job that
  nothing else starts becomes the job DAG's own timetable (``CronTriggerTimetable`` with its
  timezone; ``AssetOrTimeSchedule`` when the DAG also waits for upstream assets); its
  ``run_config`` becomes the DAG params' defaults. ``default_status`` -> paused at creation.
- ``build_schedule_from_partitioned_job`` keeps the job DAG's ``CronPartitionTimetable`` and
  sets whether the DAG starts paused.
- **Every other schedule** (a function, run tags, a job other instigators also start, a job
  with its own cron) is a schedule DAG ``<name>`` on the cron, whose task evaluates the
  function when the tick runs and triggers the job DAG.
- A **sensor** is a DAG ``<name>`` on ``DeltaTriggerTimetable(minimum_interval_seconds)``
  (``max_active_runs=1``): one short task per evaluation, its cursor and used run keys in the
  asset state store of the sensor's state asset ``asset2airflow-sensors/<dag id>``.
- An **asset sensor** is a DAG ``<name>`` scheduled on the monitored ``Asset``.
- A **run status sensor** is an ``on_failure_callback``/``on_success_callback`` of the DAGs of
  its monitored jobs (every DAG of the ``Definitions`` by default).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from asset2airflow.airflow.dag_ids import check_airflow_id
from asset2airflow.airflow.dynamic import REGISTRY_GROUP
from asset2airflow.airflow.params import ParamPlan
from asset2airflow.airflow.plan import (
    AssetRefPlan,
    DagPlan,
    SchedulePlan,
    _asset_ref,
    _registries,
)
from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.authoring.run_requests import DagsterRunStatus, DefaultScheduleStatus
from asset2airflow.authoring.run_status_sensors import RunStatusSensorDefinition
from asset2airflow.authoring.schedules import ScheduleDefinition
from asset2airflow.authoring.sensors import AssetSensorDefinition, SensorDefinition
from asset2airflow.authoring.specs import DEFAULT_IO_MANAGER_KEY
from asset2airflow.errors import DefinitionError, DuplicateKeyError
from asset2airflow.io import default_io_manager

STATE_SCHEME = "asset2airflow-sensor"
STATE_PREFIX = "asset2airflow-sensors"
EVALUATE_TASK_ID = "evaluate"


class InstigatorKind(enum.Enum):
    SCHEDULE = "schedule"
    SENSOR = "sensor"
    ASSET_SENSOR = "asset_sensor"


@dataclass(frozen=True)
class InstigatorDagPlan:
    """The DAG of one schedule or sensor: one task (``EVALUATE_TASK_ID``) that evaluates it.

    ``targets`` are (job name, DAG id) pairs it may trigger. Its timetable: ``crons`` (a
    schedule), ``interval_seconds`` (a sensor) or ``trigger_asset`` (an asset sensor).
    """

    dag_id: str
    name: str
    kind: InstigatorKind
    description: str
    tags: tuple[str, ...]
    owner: str
    targets: tuple[tuple[str, str], ...]
    is_paused_upon_creation: bool
    crons: tuple[str, ...] = ()
    timezone: str = "UTC"
    interval_seconds: int | None = None
    trigger_asset: AssetRefPlan | None = None
    state_asset: AssetRefPlan | None = None
    registries: tuple[AssetRefPlan, ...] = ()
    dag_id_prefix: str = ""

    @property
    def schedule(self) -> SchedulePlan:
        """The timetable as a ``SchedulePlan`` (crons and asset sensors)."""
        if self.trigger_asset is not None:
            return SchedulePlan(upstream=(self.trigger_asset,))
        if self.crons:
            return SchedulePlan(
                cron=self.crons[0], timezone=self.timezone, extra_crons=self.crons[1:]
            )
        return SchedulePlan()


def state_asset(dag_id: str) -> AssetRefPlan:
    """The Airflow asset whose state store keeps a sensor's cursor and run keys."""
    return AssetRefPlan(
        name=f"{STATE_PREFIX}/{dag_id}", uri=f"{STATE_SCHEME}://{dag_id}", group=REGISTRY_GROUP
    )


def _instigator_counts(defs: Definitions) -> dict[str, int]:
    """How many schedules and sensors start each job (by job name)."""
    counts: dict[str, int] = {}
    for instigator in [*defs.schedules, *defs.sensors]:
        if isinstance(instigator, RunStatusSensorDefinition):
            continue
        for job in instigator.jobs:
            counts[job.name] = counts.get(job.name, 0) + 1
    return counts


def _merges(schedule: ScheduleDefinition, plan: DagPlan, counts: Mapping[str, int]) -> bool:
    """Whether the pure cron ``schedule`` becomes ``plan``'s own timetable (see module doc)."""
    own = plan.schedule
    if not schedule.is_pure_cron:
        return False
    if own.partitions is not None:
        raise DefinitionError(
            f"schedule {schedule.name!r}: job {schedule.job_name!r} is partitioned "
            f"({own.partitions.kind}); a plain cron schedule cannot say which partition to run. "
            "Use build_schedule_from_partitioned_job(job) for time partitions, or a @schedule "
            "returning RunRequest(partition_key=...)."
        )
    return counts.get(schedule.job_name, 0) == 1 and own.cron is None and not own.once


def _with_run_config(
    plan: DagPlan, run_config: Mapping[str, Any] | None, who: str
) -> tuple[ParamPlan, ...]:
    """The DAG's params with a schedule's fixed run config as their defaults."""
    if not run_config:
        return plan.params
    unknown = sorted(set(run_config) - {"ops"})
    if unknown:
        raise DefinitionError(
            f"{who}: run_config sets {unknown}; in Airflow only op/asset config "
            "({'ops': {name: {'config': {...}}}}) becomes DAG params."
        )
    defaults = {
        (node, name): value
        for node, entry in dict(run_config.get("ops") or {}).items()
        for name, value in dict((entry or {}).get("config") or {}).items()
    }
    known = {(p.node_name, p.field_name): p for p in plan.params if p.node_name}
    missing = sorted(f"{n}.{f}" for n, f in defaults if (n, f) not in known)
    if missing:
        raise DefinitionError(
            f"{who}: run_config sets {missing}, which are not config fields of DAG "
            f"{plan.dag_id!r}; its fields: {sorted(f'{n}.{f}' for n, f in known)}."
        )
    return tuple(
        replace(p, default=defaults[(p.node_name, p.field_name)], has_default=True)
        if (p.node_name, p.field_name) in defaults
        else p
        for p in plan.params
    )


def apply_instigators(defs: Definitions, plans: list[DagPlan], prefix: str) -> list[DagPlan]:
    """The DAG plans with what schedules and sensors change in them: merged cron schedules
    (timetable, param defaults, paused at creation), partition schedules' paused flag, and run
    status sensors' callbacks."""
    if not defs.schedules and not defs.sensors:
        return plans
    counts = _instigator_counts(defs)
    by_id = {p.dag_id: p for p in plans}
    for schedule in defs.schedules:
        plan = by_id.get(prefix + schedule.job_name)
        if plan is None:
            continue
        paused = schedule.default_status is not DefaultScheduleStatus.RUNNING
        who = f"schedule {schedule.name!r}"
        if schedule.from_partitions:
            if plan.schedule.partitions is None or plan.schedule.partitions.kind != "cron":
                raise DefinitionError(
                    f"{who}: build_schedule_from_partitioned_job needs a job of time-window "
                    f"partitions (Daily..., TimeWindowPartitionsDefinition); DAG {plan.dag_id!r} "
                    "is not. Use a @schedule returning RunRequest(partition_key=...)."
                )
            if plan.schedules:
                raise DefinitionError(
                    f"{who}: DAG {plan.dag_id!r} already has schedule {plan.schedules[0]!r}"
                )
            by_id[plan.dag_id] = replace(
                plan, is_paused_upon_creation=paused, schedules=(schedule.name,)
            )
        elif _merges(schedule, plan, counts):
            crons = schedule.cron_schedules
            timetable = replace(
                plan.schedule,
                cron=crons[0],
                extra_crons=crons[1:],
                timezone=schedule.execution_timezone,
            )
            note = f"Schedule `{schedule.name}`: {', '.join(crons)} ({schedule.execution_timezone})"
            by_id[plan.dag_id] = replace(
                plan,
                schedule=timetable,
                params=_with_run_config(plan, schedule.run_config, who),
                is_paused_upon_creation=paused,
                schedules=(schedule.name,),
                doc_md="\n\n".join(t for t in (note, schedule.description, plan.doc_md) if t),
            )
    for sensor in defs.sensors:
        if not isinstance(sensor, RunStatusSensorDefinition):
            continue
        monitored = (
            set(by_id) if sensor.monitors_all else {prefix + j.name for j in sensor.monitored_jobs}
        )
        for dag_id in sorted(monitored & set(by_id)):
            plan = by_id[dag_id]
            if sensor.run_status is DagsterRunStatus.FAILURE:
                by_id[dag_id] = replace(plan, failure_sensors=(*plan.failure_sensors, sensor.name))
            else:
                by_id[dag_id] = replace(plan, success_sensors=(*plan.success_sensors, sensor.name))
    return [by_id[p.dag_id] for p in plans]


def _tags(
    kind: str, targets: Sequence[tuple[str, str]], extra: Mapping[str, str]
) -> tuple[str, ...]:
    tags = {"asset2airflow", kind, *(f"job:{name}" for name, _ in targets)}
    tags |= {f"{k}:{v}" if v else k for k, v in extra.items()}
    return tuple(sorted(t[:100] for t in tags))


def build_instigator_plans(
    defs: Definitions, plans: Sequence[DagPlan], prefix: str = ""
) -> list[InstigatorDagPlan]:
    """One plan per schedule DAG and sensor DAG, sorted by dag id. ``plans`` are ALL the
    asset/job DAG plans (from ``build_dag_plans``): they say which schedules are merged."""
    if defs.op_jobs:  # op job DAGs are planned apart (``op_plan``)
        from asset2airflow.airflow.op_plan import build_op_dag_plans

        plans = [*plans, *(p.dag for p in build_op_dag_plans(defs, dag_id_prefix=prefix))]
    merged = {name for p in plans for name in p.schedules}
    taken = {p.dag_id for p in plans}
    registries = _registries(defs.asset_graph)
    result: list[InstigatorDagPlan] = []
    for schedule in defs.schedules:
        if schedule.name in merged or schedule.from_partitions:
            continue
        dag_id = _dag_id(prefix + schedule.name, f"schedule {schedule.name!r}", taken)
        targets = tuple((j.name, prefix + j.name) for j in schedule.jobs)
        result.append(
            InstigatorDagPlan(
                dag_id=dag_id,
                name=schedule.name,
                kind=InstigatorKind.SCHEDULE,
                description=schedule.description
                or f"Schedule {schedule.name!r} ({', '.join(schedule.cron_schedules)}, "
                f"{schedule.execution_timezone}): triggers {', '.join(d for _, d in targets)}",
                tags=_tags("schedule", targets, schedule.tags),
                owner=", ".join(schedule.owners) or "airflow",
                targets=targets,
                is_paused_upon_creation=schedule.default_status
                is not DefaultScheduleStatus.RUNNING,
                crons=schedule.cron_schedules,
                timezone=schedule.execution_timezone,
                registries=registries,
                dag_id_prefix=prefix,
            )
        )
    for sensor in defs.sensors:
        if isinstance(sensor, RunStatusSensorDefinition):
            continue
        result.append(_sensor_plan(defs, sensor, prefix, taken, registries))
    return sorted(result, key=lambda p: p.dag_id)


def _sensor_plan(
    defs: Definitions,
    sensor: SensorDefinition,
    prefix: str,
    taken: set[str],
    registries: tuple[AssetRefPlan, ...],
) -> InstigatorDagPlan:
    who = f"sensor {sensor.name!r}"
    dag_id = _dag_id(prefix + sensor.name, who, taken)
    targets = tuple((j.name, prefix + j.name) for j in sensor.jobs)
    trigger = None
    kind = InstigatorKind.SENSOR
    if isinstance(sensor, AssetSensorDefinition):
        kind = InstigatorKind.ASSET_SENSOR
        graph = defs.asset_graph
        if graph.has(sensor.asset_key) and graph.spec(sensor.asset_key).partitions_def is not None:
            raise DefinitionError(
                f"asset {who} monitors the partitioned asset "
                f"{sensor.asset_key.to_user_string()!r}: Airflow 3.3 never triggers an "
                "unpartitioned DAG from partitioned asset events. Put the downstream work in a "
                "partitioned asset (it runs per partition) or use a @sensor."
            )
        trigger = (
            _asset_ref(
                graph,
                {DEFAULT_IO_MANAGER_KEY: default_io_manager(), **defs.resources},
                sensor.asset_key,
            )
            if graph.has(sensor.asset_key)
            else AssetRefPlan(sensor.asset_key.to_user_string())
        )
        timing = f"on each event of asset {trigger.name!r}"
    else:
        timing = f"every {sensor.minimum_interval_seconds} s"
    runs = ", ".join(d for _, d in targets) or "nothing (it runs its own code)"
    return InstigatorDagPlan(
        dag_id=dag_id,
        name=sensor.name,
        kind=kind,
        description=sensor.description
        or f"Sensor {sensor.name!r}: evaluates {timing}; triggers {runs}",
        tags=_tags("sensor", targets, sensor.tags),
        owner=", ".join(sensor.owners) or "airflow",
        targets=targets,
        is_paused_upon_creation=sensor.default_status.value != "RUNNING",
        interval_seconds=None if trigger is not None else sensor.minimum_interval_seconds,
        trigger_asset=trigger,
        state_asset=state_asset(dag_id),
        registries=registries,
        dag_id_prefix=prefix,
    )


def _dag_id(dag_id: str, who: str, taken: set[str]) -> str:
    check_airflow_id(dag_id, f"the DAG id of {who}", "Rename it (or change dag_id_prefix).")
    if dag_id in taken:
        raise DuplicateKeyError(
            f"DAG id {dag_id!r} would be made twice: by {who} and by a job or asset group of the "
            "same name. Rename the schedule/sensor (its name is its DAG id)."
        )
    taken.add(dag_id)
    return dag_id


# --- the Airflow arguments (one mapping for build_dags and render, as ``arguments``) ----------


def instigator_dag_arguments(plan: InstigatorDagPlan) -> dict[str, Any]:
    """Keyword arguments of the schedule's/sensor's ``DAG(...)``: one run at a time, created
    paused unless its ``default_status`` is ``RUNNING``."""
    from asset2airflow.airflow.arguments import START_DATE, call, schedule_argument

    schedule: Any
    if plan.interval_seconds is not None:
        schedule = call("DeltaTriggerTimetable", call("timedelta", seconds=plan.interval_seconds))
    else:
        schedule = schedule_argument(plan.schedule)
    return {
        "dag_id": plan.dag_id,
        "schedule": schedule,
        "start_date": START_DATE,
        "catchup": False,
        "max_active_runs": 1,
        "description": plan.description[:1000],
        "tags": list(plan.tags),
        "default_args": {"owner": plan.owner},
        "is_paused_upon_creation": plan.is_paused_upon_creation,
    }


def instigator_task_arguments(plan: InstigatorDagPlan) -> dict[str, Any]:
    """Keyword arguments of its one task: the state asset and the dynamic partition registries
    as inlets (their stores/events are read), the registry alias as outlet (keys it adds)."""
    from asset2airflow.airflow.arguments import asset_argument, call
    from asset2airflow.airflow.dynamic import REGISTRY_ALIAS

    # The state asset first, then the monitored asset (its events are read as inlet events).
    inlets = [a for a in (plan.state_asset, plan.trigger_asset) if a is not None]
    return {
        "task_id": EVALUATE_TASK_ID,
        "inlets": [asset_argument(a) for a in (*inlets, *plan.registries)],
        "outlets": [call("AssetAlias", REGISTRY_ALIAS)] if plan.registries else [],
        "retries": 0,
        "doc_md": plan.description,
    }


def describe_instigator_plans(plans: Sequence[InstigatorDagPlan]) -> list[dict[str, Any]]:
    """What ``asset2airflow dags`` prints for schedule and sensor DAGs (the shape of
    ``render.describe_plans``, plus ``kind`` and ``targets``)."""
    described = []
    for plan in plans:
        arguments = instigator_dag_arguments(plan)
        described.append(
            {
                "dag_id": plan.dag_id,
                "kind": plan.kind.value,
                "schedule": repr(arguments["schedule"]),
                "tags": list(plan.tags),
                "params": [],
                "targets": [dag_id for _, dag_id in plan.targets],
                "paused_at_creation": plan.is_paused_upon_creation,
                "tasks": [
                    {
                        "task_id": EVALUATE_TASK_ID,
                        "upstream": [],
                        "outlets": [],
                        "checks": [],
                        "retries": 0,
                        "triggers": [dag_id for _, dag_id in plan.targets],
                    }
                ],
            }
        )
    return described
