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

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from asset2airflow.airflow.dag_ids import check_airflow_id
from asset2airflow.airflow.dag_plan import (
    AssetRefPlan,
    DagPlan,
    EvaluateTaskPlan,
    InstigatorKind,
    InstigatorSource,
    SchedulePlan,
)
from asset2airflow.airflow.dynamic import REGISTRY_ALIAS, REGISTRY_GROUP
from asset2airflow.airflow.params import ParamPlan
from asset2airflow.airflow.partitions import CronPartitions
from asset2airflow.airflow.plan_parts import asset_ref, io_managers, registries
from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.authoring.run_requests import DagsterRunStatus, DefaultScheduleStatus
from asset2airflow.authoring.run_status_sensors import RunStatusSensorDefinition
from asset2airflow.authoring.schedules import ScheduleDefinition
from asset2airflow.authoring.sensors import AssetSensorDefinition, SensorDefinition
from asset2airflow.errors import DefinitionError, DuplicateKeyError

STATE_SCHEME = "asset2airflow-sensor"
STATE_PREFIX = "asset2airflow-sensors"
EVALUATE_TASK_ID = "evaluate"
DESCRIPTION_LIMIT = 1000


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
            f"schedule {schedule.name!r}: job {schedule.job_name!r} is partitioned; a plain "
            "cron schedule cannot say which partition to run. Use "
            "build_schedule_from_partitioned_job(job) for time partitions, or a @schedule "
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
            if not isinstance(plan.schedule.partitions, CronPartitions):
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
) -> list[DagPlan]:
    """One plan per schedule DAG and sensor DAG, sorted by dag id. ``plans`` are ALL the asset
    and op job DAG plans (``planner.plan_dags``): they say which schedules are merged."""
    merged = {name for p in plans for name in p.schedules}
    taken = {p.dag_id for p in plans}
    dynamic = registries(defs.asset_graph)
    result: list[DagPlan] = []
    for schedule in defs.schedules:
        if schedule.name in merged or schedule.from_partitions:
            continue
        dag_id = _dag_id(prefix + schedule.name, f"schedule {schedule.name!r}", taken)
        targets = tuple((j.name, prefix + j.name) for j in schedule.jobs)
        crons = schedule.cron_schedules
        result.append(
            _instigator_dag(
                dag_id,
                InstigatorSource(
                    schedule.name, InstigatorKind.SCHEDULE, targets, dag_id_prefix=prefix
                ),
                schedule.description
                or f"Schedule {schedule.name!r} ({', '.join(crons)}, "
                f"{schedule.execution_timezone}): triggers {', '.join(d for _, d in targets)}",
                _tags("schedule", targets, schedule.tags),
                ", ".join(schedule.owners) or "airflow",
                SchedulePlan(
                    cron=crons[0], timezone=schedule.execution_timezone, extra_crons=crons[1:]
                ),
                schedule.default_status is not DefaultScheduleStatus.RUNNING,
                dynamic,
            )
        )
    for sensor in defs.sensors:
        if isinstance(sensor, RunStatusSensorDefinition):
            continue
        result.append(_sensor_plan(defs, sensor, prefix, taken, dynamic))
    return sorted(result, key=lambda p: p.dag_id)


def _instigator_dag(
    dag_id: str,
    source: InstigatorSource,
    description: str,
    tags: tuple[str, ...],
    owner: str,
    schedule: SchedulePlan,
    paused: bool,
    dynamic: tuple[AssetRefPlan, ...],
) -> DagPlan:
    """The DAG of one schedule or sensor: one task (``EVALUATE_TASK_ID``) that evaluates it.
    Its inlets: the state asset, then the monitored asset (its events are read as inlet
    events), then the dynamic partition registries; the registry alias is its outlet (keys it
    adds)."""
    description = description[:DESCRIPTION_LIMIT]
    inlets = [a for a in (source.state_asset, source.trigger_asset) if a is not None]
    task = EvaluateTaskPlan(
        task_id=EVALUATE_TASK_ID,
        inlets=(*inlets, *dynamic),
        alias_outlets=(REGISTRY_ALIAS,) if dynamic else (),
        doc_md=description,
    )
    return DagPlan(
        dag_id=dag_id,
        description=description,
        tags=tags,
        owner=owner,
        schedule=schedule,
        tasks=(task,),
        params=(),
        asset_keys=(),
        source=source,
        is_paused_upon_creation=paused,
    )


def _sensor_plan(
    defs: Definitions,
    sensor: SensorDefinition,
    prefix: str,
    taken: set[str],
    dynamic: tuple[AssetRefPlan, ...],
) -> DagPlan:
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
            asset_ref(graph, io_managers(defs), sensor.asset_key)
            if graph.has(sensor.asset_key)
            else AssetRefPlan(sensor.asset_key.to_user_string())
        )
        timing = f"on each event of asset {trigger.name!r}"
        schedule = SchedulePlan(upstream=(trigger,))
    else:
        timing = f"every {sensor.minimum_interval_seconds} s"
        schedule = SchedulePlan(interval_seconds=sensor.minimum_interval_seconds)
    runs = ", ".join(d for _, d in targets) or "nothing (it runs its own code)"
    return _instigator_dag(
        dag_id,
        InstigatorSource(sensor.name, kind, targets, state_asset(dag_id), trigger, prefix),
        sensor.description or f"Sensor {sensor.name!r}: evaluates {timing}; triggers {runs}",
        _tags("sensor", targets, sensor.tags),
        ", ".join(sensor.owners) or "airflow",
        schedule,
        sensor.default_status.value != "RUNNING",
        dynamic,
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
