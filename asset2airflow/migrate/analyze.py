"""A DAG loaded by a real DagBag -> ``DagMigration``: its tasks in dependency order, each as an
asset step (``tasks``), the ``DAG(...)`` arguments that make the generated DAG the same DAG
(schedule, start date, catchup, default_args, params, tags, callbacks, docs...), and the
report. A task whose code cannot be carried over makes the whole DAG fail with
``MigrationError`` naming the task and the reason."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from asset2airflow.errors import Asset2AirflowError
from asset2airflow.migrate.keys import assign_keys
from asset2airflow.migrate.model import DagMigration, Note, TaskMigration
from asset2airflow.migrate.module_values import Frozen
from asset2airflow.migrate.namespace import ModuleNamespace, Unsupported
from asset2airflow.migrate.source import CodeCopier, OriginModule
from asset2airflow.migrate.tasks import OUTER_ATTRIBUTES, TaskContext, _outlets, translate_task
from asset2airflow.migrate.values import ValueWriter
from asset2airflow.migrate.written import written_arguments

# DAG(...) arguments kept when the DAG file wrote them or they differ from a new DAG's; the
# first ones always (the compiler derives its own otherwise).
_ALWAYS = ("description", "start_date", "catchup", "default_args", "tags", "params", "doc_md")
DAG_FIELDS = (
    *_ALWAYS, "end_date", "template_searchpath", "template_undefined", "user_defined_macros",
    "user_defined_filters", "max_active_tasks", "max_active_runs",
    "max_consecutive_failed_dag_runs", "dagrun_timeout", "deadline", "on_success_callback",
    "on_failure_callback", "access_control", "is_paused_upon_creation",
    "jinja_environment_kwargs", "render_template_as_native_obj", "owner_links", "fail_fast",
    "allowed_run_types", "disable_bundle_versioning", "rerun_with_latest_version",
)  # fmt: skip


class MigrationError(Asset2AirflowError):
    """A DAG cannot be migrated; the message names the task and what to change."""


def toposorted(dag: Any) -> list[Any]:
    """The DAG's tasks, upstream first, ties broken by task id."""
    tasks = {t.task_id: t for t in dag.tasks}
    waiting = {t: set(task.upstream_task_ids) & tasks.keys() for t, task in tasks.items()}
    ordered: list[Any] = []
    while waiting:
        ready = sorted(t for t, ups in waiting.items() if not ups)
        if not ready:
            raise MigrationError(f"DAG {dag.dag_id!r} has a cycle among {sorted(waiting)}")
        for task_id in ready:
            ordered.append(tasks[task_id])
            del waiting[task_id]
        for ups in waiting.values():
            ups.difference_update(ready)
    return ordered


def _probe(dag: Any) -> tuple[dict[str, Any], frozenset[str]]:
    """What a task of the generated DAG gets without pinning anything: a new task in a DAG with
    the same default_args and dates (the generated DAG keeps both)."""
    from airflow.sdk import DAG, BaseOperator

    with DAG(
        "asset2airflow_migrate_probe",
        default_args=dict(dag.default_args or {}),
        schedule=None,
        start_date=dag.start_date,
        end_date=dag.end_date,
        auto_register=False,
    ):
        task = BaseOperator(task_id="probe")
    parameters = set(inspect.signature(BaseOperator.__init__).parameters) - {"self", "kwargs"}
    baseline = {name: getattr(task, name, None) for name in OUTER_ATTRIBUTES}
    return baseline, frozenset(parameters)


def _differs(a: Any, b: Any) -> bool:
    try:
        return bool(a != b)
    except Exception:
        return True


def dag_arguments(dag: Any, writer: ValueWriter) -> list[tuple[str, str]]:
    """``airflow_dag`` keywords: the schedule as written, every setting the DAG file wrote, and
    every other setting a new DAG would not have (the first ``_ALWAYS`` ones always). The new
    DAG shares nothing with ``dag``, so it cannot hide a difference."""
    from airflow.sdk import DAG

    fresh = DAG("asset2airflow_migrate_probe", schedule=None, auto_register=False)
    written = set(written_arguments(dag) or ())
    found = [("schedule", writer.expr(getattr(dag, "schedule", None)))]
    for name in DAG_FIELDS:
        value, base = getattr(dag, name, None), getattr(fresh, name, None)
        if name in ("start_date", "end_date") and value is not None:
            # Airflow keeps dates in UTC; written in the DAG's timezone, which the DAG (and
            # its cron schedule) takes from its start date.
            value = _in_timezone(value, getattr(dag, "timezone", None))
        elif name == "tags":
            value = sorted(value or ())
        elif name == "params":
            value = dag.params
        if name in _ALWAYS or name in written or _differs(value, base):
            found.append((name, writer.expr(value)))
    display = getattr(dag, "dag_display_name", dag.dag_id)
    if display != dag.dag_id:
        found.append(("dag_display_name", writer.expr(display)))
    return found


def _in_timezone(value: Any, timezone: Any) -> Any:
    convert = getattr(value, "in_timezone", None)
    if convert is None or timezone is None or getattr(timezone, "name", "UTC") == "UTC":
        return value
    return convert(timezone)


def _structure_notes(dag: Any) -> Iterable[Note]:
    groups: dict[str, list[str]] = {}
    for task in dag.tasks:
        group_id = getattr(task.task_group, "group_id", None)
        if group_id:
            groups.setdefault(group_id, []).append(task.task_id)
    for group_id, members in sorted(groups.items()):
        yield Note(
            None,
            f"task group {group_id!r} is flattened (tasks {', '.join(sorted(members))}): they "
            "keep their ids and edges; the Graph view shows no group box, and clearing or "
            "marking the group in the UI is done task by task",
            difference=True,
            field="task_groups",
        )
    if getattr(dag, "edge_info", None):
        labels = sorted(f"{u} >> {d}" for u, d in _edges_with_info(dag.edge_info))
        yield Note(None, f"edge labels are not kept ({', '.join(labels)})", True, "edge_labels")


def _frozen_notes(frozen: Iterable[Frozen]) -> Iterable[Note]:
    for value in frozen:
        yield Note(
            value.task_id,
            f"{value.name} is frozen to {value.value}: the DAG file computes it when it loads "
            f"(`{value.statement}`, assigned more than once or inside a block, so no single "
            "statement can be copied); where that gives another value (another machine, "
            "environment or time) the original differs",
            difference=True,
            field="frozen",
        )


def _edges_with_info(edge_info: Any) -> list[tuple[str, str]]:
    return [(up, down) for up, downs in edge_info.items() for down, info in downs.items() if info]


def original_copy_name(file: Path) -> str:
    """The kept copy of a DAG file (``tutorial.py`` -> ``tutorial.py.original``): not a
    ``.py`` file, so Airflow does not parse it as a second DAG with the same id."""
    return f"{file.name}.original"


def group_name(dag_id: str) -> str:
    """The asset group of a migrated DAG's assets (group names allow ``[A-Za-z0-9_]``)."""
    return re.sub(r"\W", "_", dag_id, flags=re.ASCII)


def migrate_dag(dag: Any, origin: OriginModule) -> DagMigration:
    namespace = ModuleNamespace()
    copier = CodeCopier(namespace, origin)
    writer = ValueWriter(namespace, copier)
    ordered = toposorted(dag)
    assets = assign_keys((t.task_id, _outlets(t)) for t in ordered)
    baseline, base_parameters = _probe(dag)
    context = TaskContext(dag, assets, baseline, base_parameters, namespace, copier)
    context.original_name = original_copy_name(origin.file)
    tasks: list[TaskMigration] = []
    for task in ordered:
        copier.task_id = task.task_id
        try:
            tasks.append(translate_task(task, context))
        except Unsupported as exc:
            raise MigrationError(f"DAG {dag.dag_id!r}, task {task.task_id!r}: {exc}") from exc
    copier.task_id = None
    try:
        arguments = dag_arguments(dag, writer)
    except Unsupported as exc:
        raise MigrationError(f"DAG {dag.dag_id!r}: {exc}") from exc
    notes = [*context.notes, *_structure_notes(dag), *_frozen_notes(copier.frozen)]
    return DagMigration(
        dag_id=dag.dag_id,
        source=origin.file,
        group=group_name(dag.dag_id),
        dag_arguments=tuple(arguments),
        tasks=tuple(tasks),
        namespace=namespace,
        notes=notes,
        original_copy=context.original_name if context.uses_original else None,
    )
