"""DAG plans -> Airflow DAG objects: the one builder, for every kind of DAG (asset, fused, op
job, schedule/sensor, with run status callbacks).

Call ``build_dags(defs)`` at the top level of a file in Airflow's dags folder: each DAG is built
inside ``with DAG(...)`` so Airflow registers it without module globals. On a worker only the
DAG being run is built (``get_parsing_context``), and of it only the task being run and its
direct relatives. Every Airflow argument and operator class comes from
``asset2airflow.airflow.arguments``, the mapping ``render`` writes as code too.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, BaseOperator, get_parsing_context

from asset2airflow.airflow.arguments import DEFINITIONS, dag_arguments, instantiate, task_call
from asset2airflow.airflow.compiled import COMPILED_ATTRIBUTE, building_suppressed, compiled_view
from asset2airflow.airflow.dag_plan import AnyTaskPlan, AssetsSource, DagPlan
from asset2airflow.airflow.planner import plan_dags
from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.asset_graph.gc_pause import gc_paused
from asset2airflow.authoring.jobs import ExecutionMode


def airflow_dags_folder() -> Path:
    """The dags folder Airflow is configured with (names the DAGs of ungrouped assets)."""
    from airflow.configuration import conf

    return Path(conf.get("core", "dags_folder")).expanduser().absolute()


def build_dag(
    plan: DagPlan,
    defs: Definitions,
    default_args: Mapping[str, Any] | None = None,
    dags_folder: Path | None = None,
) -> DAG:
    """The Airflow DAG of ``plan``: its tasks share one compiled view (``compiled_view``)."""
    compiled = compiled_view(plan, defs, dags_folder)
    bound = {DEFINITIONS.name: defs}
    arguments = instantiate(dag_arguments(plan), bound)
    arguments["default_args"] = {**arguments["default_args"], **dict(default_args or {})}
    # DAG params are set once the tasks exist: Airflow deep-copies (and serializes) the DAG's
    # params into every task created inside the DAG -- 200 assets with two Config fields each
    # took seconds to parse and a minute to serialize. At run time Airflow merges the DAG's
    # params into each task's anyway.
    params = arguments.pop("params")
    with DAG(**arguments) as dag:
        setattr(dag, COMPILED_ATTRIBUTE, compiled)
        tasks: dict[str, Any] = {}
        calls = [(t, task_call(t)) for t in _tasks_to_build(plan)]
        # Downstream tasks are added first: Airflow's cycle check walks tasks in insertion order
        # and rescans a task's children each time it returns to it, which is quadratic in the
        # fan-out when parents come first (10,000 children of one root: ~10 s) and linear here.
        # Mapped tasks come last: they expand over their producer's output.
        for task, made in reversed(calls):
            if made.expand_over is None:
                operator = instantiate(made.operator)
                tasks[task.task_id] = operator.for_step(compiled, **instantiate(made.arguments))
        for task, made in calls:
            if made.expand_over is not None:
                partial = instantiate(made.operator).partial(**instantiate(made.arguments))
                tasks[task.task_id] = partial.expand(mapping_key=tasks[made.expand_over].output)
        for task, _ in calls:
            for upstream in task.upstream_task_ids:
                if upstream in tasks:
                    _link(tasks[upstream], tasks[task.task_id])
    dag.params = params
    return dag


def _tasks_to_build(plan: DagPlan) -> tuple[AnyTaskPlan, ...]:
    """The plan's tasks, or on a worker (Airflow's parsing context names this DAG and one of
    its tasks) that task and its direct upstream and downstream tasks only.

    Airflow's task runner (``task_runner.parse``) looks the task up in ``dag.task_dict`` and
    needs nothing of the other tasks: trigger rules, mapping and scheduling are decided from
    the DAG the DAG processor serialized, which parses with no task id. The relatives are
    built so that the task's ``upstream_task_ids``/``downstream_task_ids`` (and its
    ``upstream_list``/``downstream_list``: OpenLineage's task facet reports the ids) are
    complete; a relative carries only its edge to the task (DagBag's cycle check requires
    every downstream id to be a task of the DAG). 10,000 assets: ~1.4 s less per task start.
    """
    context = get_parsing_context()
    task_id = context.task_id
    if context.dag_id != plan.dag_id or task_id is None:
        return plan.tasks
    if not isinstance(plan.source, AssetsSource):
        return plan.tasks  # op tasks expand over their producer's output: build them all
    task = next((t for t in plan.tasks if t.task_id == task_id), None)
    if task is None:  # not one of ours: build everything, let Airflow report it
        return plan.tasks
    wanted = {task_id, *task.upstream_task_ids}
    return tuple(t for t in plan.tasks if t.task_id in wanted or task_id in t.upstream_task_ids)


def _link(upstream: Any, downstream: BaseOperator) -> None:
    """``upstream >> downstream`` for two tasks known to be in the same DAG.

    Airflow's ``>>`` first checks that both tasks share one DAG by hashing the DAG, whose hash
    covers every task id: per edge that is O(tasks), so a 10,000-asset DAG would spend seconds
    there. The edge itself is these two id sets, which is all this sets.
    """
    upstream.downstream_task_ids.add(downstream.task_id)
    downstream.upstream_task_ids.add(upstream.task_id)


@gc_paused
def build_dags(
    defs: Definitions,
    *,
    dag_per: str = "job_or_group",
    default_args: Mapping[str, Any] | None = None,
    dag_id_prefix: str = "",
    execution: ExecutionMode | str = ExecutionMode.PER_ASSET,
) -> dict[str, DAG]:
    """The Airflow DAGs for ``defs`` by dag id (see ``asset2airflow.airflow.plan`` for rules).

    ``execution="fused"`` runs each asset DAG as one task (see ``asset2airflow.airflow.fused``);
    ``define_asset_job(..., execution=...)`` chooses per job."""
    if building_suppressed():
        return {}
    folder = airflow_dags_folder()
    plans = plan_dags(
        defs,
        dag_per=dag_per,
        dag_id_prefix=dag_id_prefix,
        only_dag_id=get_parsing_context().dag_id,
        dags_folder=folder,
        execution=execution,
    )
    return {plan.dag_id: build_dag(plan, defs, default_args, folder) for plan in plans}
