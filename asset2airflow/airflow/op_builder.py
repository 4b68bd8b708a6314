"""Op DAG plans -> Airflow DAG objects (``build_dags`` calls this for ``Definitions(jobs=[...])``
holding ``@job``s). See ``op_plan`` for the rules and ``op_operator`` for what tasks do."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from airflow.sdk import DAG

from asset2airflow.airflow.arguments import dag_arguments, instantiate
from asset2airflow.airflow.builder import _link
from asset2airflow.airflow.op_operator import (
    COMPILED_ATTRIBUTE,
    MappedOpStepOperator,
    OpStepOperator,
)
from asset2airflow.airflow.op_plan import (
    CompiledJob,
    OpDagPlan,
    build_op_dag_plans,
    op_task_arguments,
)
from asset2airflow.airflow.sensor_dags import run_status_callbacks
from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.errors import DuplicateKeyError


def build_op_dag(
    plan: OpDagPlan, defs: Definitions, default_args: Mapping[str, Any] | None = None
) -> DAG:
    job = next(j for j in defs.op_jobs if j.name == plan.job_name)
    compiled = CompiledJob(defs, plan, job)
    arguments = instantiate(dag_arguments(plan.dag))
    arguments["default_args"] = {**arguments["default_args"], **dict(default_args or {})}
    arguments.update(run_status_callbacks(plan.dag, defs))  # run status sensors, if any
    # DAG params are set once the tasks exist: Airflow deep-copies (and serializes) DAG params
    # into every task created inside the DAG, ~80 ms per task for 200 params; at run time it
    # merges the DAG's params into each task's anyway (``process_params``).
    params = arguments.pop("params")
    with DAG(**arguments) as dag:
        setattr(dag, COMPILED_ATTRIBUTE, compiled)
        tasks: dict[str, Any] = {}
        # Downstream tasks first (see ``builder.build_dag``); mapped tasks last, as they need
        # their producer's output to expand over.
        for task in reversed(plan.tasks):
            if task.mapped_over is None:
                arguments = instantiate(op_task_arguments(task))
                tasks[task.task_id] = OpStepOperator.for_step(compiled, **arguments)
        for task in plan.tasks:
            if task.mapped_over is not None:
                partial = MappedOpStepOperator.partial(**instantiate(op_task_arguments(task)))
                tasks[task.task_id] = partial.expand(mapping_key=tasks[task.mapped_over].output)
        for task in plan.tasks:
            for upstream in task.upstream_task_ids:
                _link(tasks[upstream], tasks[task.task_id])
    dag.params = params
    return dag


def build_op_dags(
    defs: Definitions,
    *,
    dag_id_prefix: str = "",
    only_dag_id: str | None = None,
    default_args: Mapping[str, Any] | None = None,
    taken: Collection[str] = (),
) -> dict[str, DAG]:
    """The DAGs of ``defs``' op jobs by dag id; ``taken`` are the ids of the asset DAGs (an op
    job named like one is an error naming both)."""
    dags = {}
    for plan in build_op_dag_plans(defs, dag_id_prefix=dag_id_prefix, only_dag_id=only_dag_id):
        if plan.dag_id in taken:
            raise DuplicateKeyError(
                f"DAG id {plan.dag_id!r} would be made twice: by op job {plan.job_name!r} and by "
                "an asset job or asset group of the same name. Rename the job."
            )
        dags[plan.dag_id] = build_op_dag(plan, defs, default_args)
    return dags
