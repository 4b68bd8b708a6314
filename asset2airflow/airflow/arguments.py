"""The one translation from a DAG plan to the arguments of Airflow's constructors.

``dag_arguments(plan)`` and ``task_arguments(task)`` return keyword arguments whose values are
plain data or ``Call``s: an Airflow constructor call written down as data. ``builder`` turns
each ``Call`` into the object (``instantiate``), ``render`` writes it as source code (``repr``).
Both read this mapping, so ``build_dags`` and a rendered DAG file cannot drift apart (schedule,
params, retries, trigger rule, start date, inlets and outlets). No Airflow imports here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from asset2airflow.airflow.automation import Condition
from asset2airflow.airflow.params import ParamPlan
from asset2airflow.airflow.partitions import MapperPlan, PartitionPlan
from asset2airflow.airflow.plan import AssetRefPlan, DagPlan, SchedulePlan, TaskPlan
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
}

TRIGGER_RULE = "none_failed"
"""A task runs when no upstream failed: upstreams skipped by an asset selection are fine."""


@dataclass(frozen=True)
class Symbol:
    """A constant named in ``SOURCES`` (``timezone.utc``); its repr is its source code."""

    name: str

    def __repr__(self) -> str:
        return self.name


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
    if partitions.kind == "cron":
        return call(
            "CronPartitionTimetable",
            partitions.cron,
            timezone=partitions.timezone,
            run_offset=partitions.run_offset,
            key_format=partitions.key_format,
        )
    if partitions.kind == "assets":
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
    """Keyword arguments of ``DAG(...)`` (``default_args`` holds the owner only), with the
    arguments pinned by ``airflow_dag`` over them (pinned ``params`` join the config params)."""
    arguments: dict[str, Any] = {
        "dag_id": plan.dag_id,
        "schedule": schedule_argument(plan.schedule),
        "start_date": START_DATE,
        "catchup": False,
        "description": plan.description,
        "doc_md": plan.doc_md,
        "tags": list(plan.tags),
        "params": {p.name: param_argument(p) for p in plan.params},
        "default_args": {"owner": plan.owner},
        **(
            {"is_paused_upon_creation": plan.is_paused_upon_creation}
            if plan.is_paused_upon_creation is not None
            else {}
        ),
    }
    for name, value in plan.arguments:
        arguments[name] = {**arguments["params"], **value} if name == "params" else value
    return arguments


def task_arguments(task: TaskPlan) -> dict[str, Any]:
    """Keyword arguments of the task's ``AssetStepOperator`` (retries only when set, so the
    DAG's ``default_args`` apply otherwise)."""
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


def retry_arguments(task: TaskPlan | Any) -> dict[str, Any]:
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


def instantiate(value: Any) -> Any:
    """``value`` with every ``Call`` called and every ``Symbol`` resolved."""
    if isinstance(value, Call):
        args = [instantiate(a) for a in value.args]
        return resolve(value.func)(*args, **{k: instantiate(v) for k, v in value.kwargs})
    if isinstance(value, Symbol):
        return resolve(value.name)
    if isinstance(value, list):
        return [instantiate(v) for v in value]
    if isinstance(value, tuple):
        return tuple(instantiate(v) for v in value)
    if isinstance(value, dict):
        return {k: instantiate(v) for k, v in value.items()}
    return value
