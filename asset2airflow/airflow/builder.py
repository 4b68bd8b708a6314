"""DAG plans -> Airflow DAG objects. The only module (with the operator) that touches Airflow.

Call ``build_dags(defs)`` at the top level of a file in Airflow's dags folder: each DAG is built
inside ``with DAG(...)`` so Airflow registers it without module globals. On a worker only the
DAG being run is built (``get_parsing_context``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from airflow.sdk import DAG, Asset, AssetAll, AssetOrTimeSchedule, Param, get_parsing_context

from asset2airflow.airflow.compiled import CompiledDag, building_suppressed
from asset2airflow.airflow.operator import AssetStepOperator
from asset2airflow.airflow.params import ParamPlan
from asset2airflow.airflow.plan import AssetRefPlan, DagPlan, SchedulePlan, build_dag_plans
from asset2airflow.graph.definitions import Definitions

# A fixed start date keeps serialization identical across parses; cron DAGs never catch up.
START_DATE = datetime(2024, 1, 1, tzinfo=timezone.utc)


def airflow_asset(ref: AssetRefPlan) -> Any:
    if ref.uri is None:
        return Asset.ref(name=ref.name)
    return Asset(name=ref.name, uri=ref.uri, group=ref.group, extra=ref.extra)


def airflow_schedule(schedule: SchedulePlan) -> Any:
    from airflow.timetables.trigger import CronTriggerTimetable

    assets = AssetAll(*(airflow_asset(a) for a in schedule.upstream)) if schedule.upstream else None
    timetable: Any = (
        CronTriggerTimetable(schedule.cron, timezone=schedule.timezone) if schedule.cron else None
    )
    if assets is not None and timetable is not None:
        return AssetOrTimeSchedule(timetable=timetable, assets=assets)
    return assets if assets is not None else timetable


def airflow_param(plan: ParamPlan) -> Param:
    kwargs: dict[str, Any] = dict(plan.schema)
    kwargs["title"] = plan.title
    kwargs["section"] = plan.section
    if plan.has_default:
        return Param(plan.default, description=plan.description, **kwargs)
    return Param(description=plan.description, **kwargs)


def build_dag(plan: DagPlan, defs: Definitions, default_args: Mapping[str, Any] | None) -> DAG:
    compiled = CompiledDag(defs, plan)
    args = {"owner": plan.owner, **dict(default_args or {})}
    with DAG(
        dag_id=plan.dag_id,
        schedule=airflow_schedule(plan.schedule),
        start_date=START_DATE,
        catchup=False,
        description=plan.description,
        doc_md=plan.doc_md,
        tags=list(plan.tags),
        params={p.name: airflow_param(p) for p in plan.params},
        default_args=args,
    ) as dag:
        tasks = {}
        # Downstream tasks are added first: Airflow's cycle check walks tasks in insertion order
        # and rescans a task's children each time it returns to it, which is quadratic in the
        # fan-out when parents come first (10,000 children of one root: ~10 s) and linear here.
        for task in reversed(plan.tasks):
            overrides: dict[str, Any] = {}
            if task.retries:
                overrides = {
                    "retries": task.retries,
                    "retry_delay": timedelta(seconds=task.retry_delay_seconds),
                    "retry_exponential_backoff": task.retry_exponential_backoff,
                }
            if task.owner:
                overrides["owner"] = task.owner
            tasks[task.task_id] = AssetStepOperator.for_step(
                compiled,
                task_id=task.task_id,
                outlets=[airflow_asset(o) for o in task.outlets],
                doc_md=task.doc_md,
                trigger_rule="none_failed",
                **overrides,
            )
        for task in plan.tasks:
            for upstream in task.upstream_task_ids:
                _link(tasks[upstream], tasks[task.task_id])
    return dag


def _link(upstream: AssetStepOperator, downstream: AssetStepOperator) -> None:
    """``upstream >> downstream`` for two tasks known to be in the same DAG.

    Airflow's ``>>`` first checks that both tasks share one DAG by hashing the DAG, whose hash
    covers every task id: per edge that is O(tasks), so a 10,000-asset DAG would spend seconds
    there. The edge itself is these two id sets, which is all this sets.
    """
    upstream.downstream_task_ids.add(downstream.task_id)
    downstream.upstream_task_ids.add(upstream.task_id)


def build_dags(
    defs: Definitions,
    *,
    dag_per: str = "job_or_group",
    default_args: Mapping[str, Any] | None = None,
    dag_id_prefix: str = "",
) -> dict[str, DAG]:
    """The Airflow DAGs for ``defs`` by dag id (see ``asset2airflow.airflow.plan`` for rules)."""
    if building_suppressed():
        return {}
    only = get_parsing_context().dag_id
    plans = build_dag_plans(defs, dag_per=dag_per, dag_id_prefix=dag_id_prefix, only_dag_id=only)
    return {plan.dag_id: build_dag(plan, defs, default_args) for plan in plans}
