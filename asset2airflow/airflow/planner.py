"""Every DAG ``build_dags`` builds, planned at once: asset DAGs (``plan``), op job DAGs
(``op_plan``) and schedule/sensor DAGs (``instigator_plan``), with run status callbacks on the
DAGs they monitor. ``build_dags``, ``render``, ``asset2airflow dags``/``validate`` and a
rendered file's runtime all read this one list. No Airflow imports."""

from __future__ import annotations

from pathlib import Path

from asset2airflow.airflow.dag_plan import DagPlan
from asset2airflow.airflow.instigator_plan import build_instigator_plans
from asset2airflow.airflow.op_plan import build_op_dag_plans
from asset2airflow.airflow.plan import build_dag_plans
from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.authoring.jobs import ExecutionMode
from asset2airflow.errors import DuplicateKeyError


def plan_dags(
    defs: Definitions,
    *,
    dag_per: str = "job_or_group",
    dag_id_prefix: str = "",
    only_dag_id: str | None = None,
    dags_folder: str | Path | None = None,
    execution: ExecutionMode | str = ExecutionMode.PER_ASSET,
) -> list[DagPlan]:
    """One plan per DAG of every kind, sorted by dag id (arguments as ``build_dag_plans``).

    With ``only_dag_id`` (a worker runs one DAG) only that DAG is planned, unless it is a
    schedule's or sensor's: those need every other DAG's plan (which schedules are merged,
    which ids are taken).
    """

    def jobs_and_groups(only: str | None) -> tuple[list[DagPlan], list[DagPlan]]:
        assets = build_dag_plans(
            defs,
            dag_per=dag_per,
            dag_id_prefix=dag_id_prefix,
            only_dag_id=only,
            dags_folder=dags_folder,
            execution=execution,
        )
        ops = build_op_dag_plans(defs, dag_id_prefix=dag_id_prefix, only_dag_id=only)
        _refuse_clashes(assets, ops)
        return assets, ops

    assets, ops = jobs_and_groups(only_dag_id)
    if not (defs.schedules or defs.sensors) or (only_dag_id is not None and (assets or ops)):
        return sorted([*assets, *ops], key=lambda p: p.dag_id)
    if only_dag_id is not None:  # a schedule's or sensor's DAG: plan all the others
        assets, ops = jobs_and_groups(None)
    instigators = build_instigator_plans(defs, [*assets, *ops], dag_id_prefix)
    every = [*assets, *ops, *instigators]
    return sorted(
        (p for p in every if only_dag_id is None or p.dag_id == only_dag_id),
        key=lambda p: p.dag_id,
    )


def _refuse_clashes(assets: list[DagPlan], ops: list[DagPlan]) -> None:
    """An op job named like an asset job or group would make one DAG id twice."""
    taken = {p.dag_id for p in assets}
    for plan in ops:
        if plan.dag_id in taken:
            raise DuplicateKeyError(
                f"DAG id {plan.dag_id!r} would be made twice: by op job {plan.job_name!r} and by "
                "an asset job or asset group of the same name. Rename the job."
            )
