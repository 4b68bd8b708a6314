"""The one translation from a DAG plan (``dag_plan``) to Airflow: constructor arguments AND
operator classes, for every DAG kind.

``dag_arguments(plan)`` and ``task_call(task)`` return keyword arguments whose values are plain
data, ``Call``s (an Airflow constructor call written down as data), ``Symbol``s (a constant or
class named in ``SOURCES``) or ``Bound`` names (values only the built DAG has: its
definitions). ``task_call`` also names the task's operator class and, for a task mapped over a
``DynamicOut``, the task it expands over. ``builder`` turns them into objects
(``instantiate``), ``render`` writes them as source code (``repr``); both read this mapping, so
``build_dags`` and a rendered DAG file cannot drift apart. No Airflow imports here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from asset2airflow.airflow.automation import Condition
from asset2airflow.airflow.dag_plan import (
    AnyTaskPlan,
    AssetRefPlan,
    DagPlan,
    EvaluateTaskPlan,
    FusedTaskPlan,
    InstigatorSource,
    OpTaskPlan,
    SchedulePlan,
    TaskPlan,
)
from asset2airflow.airflow.params import ParamPlan
from asset2airflow.airflow.partitions import (
    CronPartitions,
    MapperPlan,
    PartitionPlan,
    UpstreamPartitions,
)
from asset2airflow.authoring.airflow_options import LIST_ARGUMENTS

# Where each callable or constant a ``Call``/``Symbol`` names lives: (module, attribute path).
SOURCES: dict[str, tuple[str, str]] = {
    "DAG": ("airflow.sdk", "DAG"),
    "Asset": ("airflow.sdk", "Asset"),
    "Asset.ref": ("airflow.sdk", "Asset.ref"),
    "AssetAll": ("airflow.sdk", "AssetAll"),
    "AssetAlias": ("airflow.sdk", "AssetAlias"),
    "AssetOrTimeSchedule": ("airflow.sdk", "AssetOrTimeSchedule"),
    "AssetAny": ("airflow.sdk", "AssetAny"),
    "MultipleCronTriggerTimetable": ("airflow.sdk", "MultipleCronTriggerTimetable"),
    "DeltaTriggerTimetable": ("airflow.sdk", "DeltaTriggerTimetable"),
    "CronTriggerTimetable": ("airflow.timetables.trigger", "CronTriggerTimetable"),
    "CronPartitionTimetable": ("airflow.sdk", "CronPartitionTimetable"),
    "PartitionedAssetTimetable": ("airflow.sdk", "PartitionedAssetTimetable"),
    "PartitionedAtRuntime": ("airflow.sdk", "PartitionedAtRuntime"),
    "IdentityMapper": ("airflow.sdk", "IdentityMapper"),
    "RollupMapper": ("airflow.sdk", "RollupMapper"),
    "StartOfDayMapper": ("airflow.sdk", "StartOfDayMapper"),
    "StartOfWeekMapper": ("airflow.sdk", "StartOfWeekMapper"),
    "StartOfMonthMapper": ("airflow.sdk", "StartOfMonthMapper"),
    "DayWindow": ("airflow.sdk", "DayWindow"),
    "WeekWindow": ("airflow.sdk", "WeekWindow"),
    "MonthWindow": ("airflow.sdk", "MonthWindow"),
    "Param": ("airflow.sdk", "Param"),
    "datetime": ("datetime", "datetime"),
    "dict": ("builtins", "dict"),
    "timedelta": ("datetime", "timedelta"),
    "timezone.utc": ("datetime", "timezone.utc"),
    # Our operators and callbacks (imported only when building or by a rendered file).
    "AssetStepOperator": ("asset2airflow.airflow.operator", "AssetStepOperator"),
    "FusedAssetsOperator": ("asset2airflow.airflow.fused", "FusedAssetsOperator"),
    "OpStepOperator": ("asset2airflow.airflow.op_operator", "OpStepOperator"),
    "MappedOpStepOperator": ("asset2airflow.airflow.op_operator", "MappedOpStepOperator"),
    "InstigatorOperator": ("asset2airflow.airflow.instigator_operator", "InstigatorOperator"),
    "RunStatusCallback": ("asset2airflow.airflow.run_status", "RunStatusCallback"),
}

TRIGGER_RULE = "none_failed"
"""A task runs when no upstream failed: upstreams skipped by an asset selection are fine. An op
task too: it skips itself when an input it reads was not produced (an optional output, a
skipped upstream), as Dagster skips such ops."""


@dataclass(frozen=True)
class Symbol:
    """A constant named in ``SOURCES`` (``timezone.utc``); its repr is its source code."""

    name: str

    def __repr__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Bound:
    """A value only the DAG being built has (``DEFINITIONS``: its ``Definitions``); the
    builder passes it to ``instantiate``, a rendered file defines it as a global."""

    name: str

    def __repr__(self) -> str:
        return self.name


DEFINITIONS = Bound("DEFINITIONS")


@dataclass(frozen=True)
class Call:
    """``func(*args, **kwargs)`` for a ``func`` named in ``SOURCES``; its repr is source code."""

    func: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    def __repr__(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs]
        return f"{self.func}({', '.join(parts)})"


def call(func: str, *args: Any, **kwargs: Any) -> Call:
    return Call(func, args, tuple(kwargs.items()))


# A fixed start date keeps serialization identical across parses; DAGs never catch up.
START_DATE = call("datetime", 2024, 1, 1, tzinfo=Symbol("timezone.utc"))


def asset_argument(ref: AssetRefPlan) -> Call:
    if ref.uri is None:
        return call("Asset.ref", name=ref.name)
    return call("Asset", name=ref.name, uri=ref.uri, group=ref.group, extra=ref.extra)


def mapper_argument(mapper: MapperPlan) -> Call:
    kwargs = tuple(
        (k, mapper_argument(v) if isinstance(v, MapperPlan) else v) for k, v in mapper.kwargs
    )
    return Call(mapper.name, (), kwargs)


def partitioned_schedule_argument(schedule: SchedulePlan, partitions: PartitionPlan) -> Call:
    if isinstance(partitions, CronPartitions):
        return call(
            "CronPartitionTimetable",
            partitions.cron,
            timezone=partitions.timezone,
            run_offset=partitions.run_offset,
            key_format=partitions.key_format,
        )
    if isinstance(partitions, UpstreamPartitions):
        refs = dict(zip([k for k, _ in partitions.mappers], schedule.upstream, strict=True))
        return call(
            "PartitionedAssetTimetable",
            assets=call("AssetAll", *(asset_argument(r) for r in schedule.upstream)),
            # dict([(asset, mapper), ...]): an Asset call holds a dict, so it cannot be a key here
            partition_mapper_config=call(
                "dict",
                [(asset_argument(refs[k]), mapper_argument(m)) for k, m in partitions.mappers],
            ),
        )
    return call("PartitionedAtRuntime")


def condition_argument(condition: Condition) -> Call:
    """``AssetAll``/``AssetAny`` of assets and nested conditions."""
    return call(
        condition.op.value,
        *(
            condition_argument(i) if isinstance(i, Condition) else asset_argument(i)
            for i in condition.items
        ),
    )


def cron_argument(cron: str, timezone: str, extra_crons: tuple[str, ...] = ()) -> Call:
    if extra_crons:
        return call("MultipleCronTriggerTimetable", cron, *extra_crons, timezone=timezone)
    return call("CronTriggerTimetable", cron, timezone=timezone)


def schedule_argument(schedule: SchedulePlan) -> Call | str | None:
    if schedule.interval_seconds is not None:
        return call("DeltaTriggerTimetable", call("timedelta", seconds=schedule.interval_seconds))
    if schedule.partitions is not None:
        return partitioned_schedule_argument(schedule, schedule.partitions)
    if schedule.once:
        return "@once"
    assets = (
        condition_argument(schedule.condition)
        if schedule.condition is not None
        else call("AssetAll", *(asset_argument(a) for a in schedule.upstream))
        if schedule.upstream
        else None
    )
    timetable = (
        cron_argument(schedule.cron, schedule.timezone, schedule.extra_crons)
        if schedule.cron
        else None
    )
    if assets is not None and timetable is not None:
        return call("AssetOrTimeSchedule", timetable=timetable, assets=assets)
    return assets if assets is not None else timetable


def param_argument(plan: ParamPlan) -> Call:
    args = (plan.default,) if plan.has_default else ()
    return Call(
        "Param",
        args,
        (
            ("description", plan.description),
            *plan.schema.items(),
            ("title", plan.title),
            ("section", plan.section),
        ),
    )


def dag_arguments(plan: DagPlan) -> dict[str, Any]:
    """Keyword arguments of ``DAG(...)`` (``default_args`` holds the owner only), with the run
    status sensors' callbacks and the arguments pinned by ``airflow_dag`` over them (pinned
    ``params`` join the config params). A schedule's or sensor's DAG runs once at a time."""
    arguments: dict[str, Any] = {
        "dag_id": plan.dag_id,
        "schedule": schedule_argument(plan.schedule),
        "start_date": START_DATE,
        "catchup": False,
        "description": plan.description,
        "doc_md": plan.doc_md or None,
        "tags": list(plan.tags),
        "params": {p.name: param_argument(p) for p in plan.params},
        "default_args": {"owner": plan.owner},
    }
    if isinstance(plan.source, InstigatorSource):
        arguments["max_active_runs"] = 1
    if plan.is_paused_upon_creation is not None:
        arguments["is_paused_upon_creation"] = plan.is_paused_upon_creation
    for argument, names in (
        ("on_failure_callback", plan.failure_sensors),
        ("on_success_callback", plan.success_sensors),
    ):
        if names:
            arguments[argument] = [call("RunStatusCallback", DEFINITIONS, n) for n in names]
    for name, value in plan.arguments:
        arguments[name] = {**arguments["params"], **value} if name == "params" else value
    return arguments


@dataclass(frozen=True)
class TaskCall:
    """How one task is made: ``operator.for_step(<compiled DAG>, **arguments)``, or for a task
    mapped over a ``DynamicOut`` ``operator.partial(**arguments).expand(mapping_key=<the
    output of task expand_over>)``."""

    operator: Symbol
    arguments: dict[str, Any]
    expand_over: str | None = None


def task_call(task: AnyTaskPlan) -> TaskCall:
    """The operator class and keyword arguments of any task of a plan."""
    if isinstance(task, OpTaskPlan):
        if task.mapped_over is not None:
            return TaskCall(Symbol("MappedOpStepOperator"), _op_arguments(task), task.mapped_over)
        return TaskCall(Symbol("OpStepOperator"), _op_arguments(task))
    if isinstance(task, EvaluateTaskPlan):
        return TaskCall(Symbol("InstigatorOperator"), _evaluate_arguments(task))
    operator = "FusedAssetsOperator" if isinstance(task, FusedTaskPlan) else "AssetStepOperator"
    return TaskCall(Symbol(operator), task_arguments(task))


def task_arguments(task: TaskPlan) -> dict[str, Any]:
    """Keyword arguments of an asset task's operator (retries only when set, so the DAG's
    ``default_args`` apply otherwise)."""
    arguments: dict[str, Any] = {
        "task_id": task.task_id,
        "outlets": [asset_argument(o) for o in task.outlets]
        + [call("AssetAlias", name) for name in task.alias_outlets],
        "inlets": [asset_argument(i) for i in task.inlets],
        "doc_md": task.doc_md,
        "trigger_rule": TRIGGER_RULE,
    }
    if task.owner:
        arguments["owner"] = task.owner
    arguments.update(retry_arguments(task))
    for name, value in task.arguments:  # pinned with ``airflow_task``
        arguments[name] = [*arguments[name], *value] if name in LIST_ARGUMENTS else value
    return arguments


def _op_arguments(task: OpTaskPlan) -> dict[str, Any]:
    """Keyword arguments of an op task's operator (``.partial()`` for a mapped one, whose
    task instances are labelled with their mapping key)."""
    arguments: dict[str, Any] = {
        "task_id": task.task_id,
        "doc_md": task.doc_md,
        "trigger_rule": TRIGGER_RULE,
    }
    if task.mapped_over is not None:
        arguments["map_index_template"] = "{{ task.mapping_key }}"
    arguments.update(retry_arguments(task))
    return arguments


def _evaluate_arguments(task: EvaluateTaskPlan) -> dict[str, Any]:
    """Keyword arguments of a schedule's/sensor's task: never retried (the next tick is the
    retry)."""
    return {
        "task_id": task.task_id,
        "inlets": [asset_argument(a) for a in task.inlets],
        "outlets": [call("AssetAlias", name) for name in task.alias_outlets],
        "retries": 0,
        "doc_md": task.doc_md,
    }


def retry_arguments(task: TaskPlan | OpTaskPlan) -> dict[str, Any]:
    """``retries``/``retry_delay``/``retry_exponential_backoff`` of a task plan (asset or op);
    none when it has no retries, so the DAG's ``default_args`` apply."""
    if not task.retries:
        return {}
    return {
        "retries": task.retries,
        "retry_delay": call("timedelta", seconds=task.retry_delay_seconds),
        "retry_exponential_backoff": task.retry_exponential_backoff,
    }


def names_used(values: Iterable[Any]) -> set[str]:
    """Every ``Call``/``Symbol`` name inside ``values`` (for a rendered file's imports)."""
    found: set[str] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, Call):
            found.add(value.func)
            stack.extend(value.args)
            stack.extend(v for _, v in value.kwargs)
        elif isinstance(value, Symbol):
            found.add(value.name)
        elif isinstance(value, TaskCall):
            found.add(value.operator.name)
            stack.append(value.arguments)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
    return found


_RESOLVED: dict[str, Any] = {}


def resolve(name: str) -> Any:
    """The object ``name`` stands for, imported on first use (Airflow only when building)."""
    found = _RESOLVED.get(name)
    if found is None:
        module, attribute = SOURCES[name]
        found = importlib.import_module(module)
        for part in attribute.split("."):
            found = getattr(found, part)
        _RESOLVED[name] = found
    return found


def instantiate(value: Any, bound: dict[str, Any] | None = None) -> Any:
    """``value`` with every ``Call`` called, every ``Symbol`` resolved and every ``Bound``
    name looked up in ``bound``."""
    if isinstance(value, Call):
        args = [instantiate(a, bound) for a in value.args]
        kwargs = {k: instantiate(v, bound) for k, v in value.kwargs}
        return resolve(value.func)(*args, **kwargs)
    if isinstance(value, Symbol):
        return resolve(value.name)
    if isinstance(value, Bound):
        return (bound or {})[value.name]
    if isinstance(value, list):
        return [instantiate(v, bound) for v in value]
    if isinstance(value, tuple):
        return tuple(instantiate(v, bound) for v in value)
    if isinstance(value, dict):
        return {k: instantiate(v, bound) for k, v in value.items()}
    return value
