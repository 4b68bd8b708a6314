"""What ``asset2airflow dags`` prints: every planned DAG (asset, fused, op job, schedule/sensor)
as JSON-ready data, its schedule written as ``arguments`` maps it. No Airflow imports."""

from __future__ import annotations

from typing import Any

from asset2airflow.airflow.arguments import schedule_argument
from asset2airflow.airflow.dag_plan import (
    AnyTaskPlan,
    AssetsSource,
    DagPlan,
    EvaluateTaskPlan,
    InstigatorSource,
    OpJobSource,
    OpTaskPlan,
)


def describe_plans(plans: list[DagPlan]) -> list[dict[str, Any]]:
    """One entry per DAG: id, kind, schedule, tags, params and tasks (with upstream task ids,
    outlets, checks, retries; an op task's ``mapped_over``; a sensor task's ``triggers``)."""
    return [_describe(plan) for plan in plans]


def _describe(plan: DagPlan) -> dict[str, Any]:
    source = plan.source
    described: dict[str, Any] = {"dag_id": plan.dag_id}
    if isinstance(source, AssetsSource):
        described["kind"] = source.execution.value
    elif isinstance(source, OpJobSource):
        described["kind"] = "op_job"
        described["job"] = source.job_name
    else:
        described["kind"] = source.kind.value
        described["targets"] = [dag_id for _, dag_id in source.targets]
        described["paused_at_creation"] = plan.is_paused_upon_creation
    described["schedule"] = repr(schedule_argument(plan.schedule))
    described["tags"] = list(plan.tags)
    described["params"] = [param.name for param in plan.params]
    described["run_status_sensors"] = [*plan.failure_sensors, *plan.success_sensors]
    described["tasks"] = [_task(task, source) for task in plan.tasks]
    return described


def _task(task: AnyTaskPlan, source: AssetsSource | OpJobSource | InstigatorSource) -> Any:
    described: dict[str, Any] = {
        "task_id": task.task_id,
        "upstream": list(task.upstream_task_ids),
        "outlets": [],
        "checks": [],
        "retries": 0,
    }
    if isinstance(task, OpTaskPlan):
        described["retries"] = task.retries
        described["mapped_over"] = task.mapped_over
    elif isinstance(task, EvaluateTaskPlan):
        assert isinstance(source, InstigatorSource)
        described["triggers"] = [dag_id for _, dag_id in source.targets]
    else:
        described["outlets"] = [{"name": o.name, "uri": o.uri} for o in task.outlets]
        described["checks"] = list(task.check_names)
        described["retries"] = task.retries
    return described
