"""Op jobs -> DAG plans, as plain sorted data (no Airflow imports).

Each op job in ``Definitions(jobs=[...])`` is one ``DagPlan`` with ``OpJobSource`` (id:
``dag_id_prefix + job name``) and one ``OpTaskPlan`` per op, task id = the op's node path
(``outer.inner`` inside nested graphs). An op mapped over a ``DynamicOut`` is a mapped task
expanded over the mapping keys its producer returns (its XCom ``return_value``); ``.collect()``
is a plain task downstream of the mapped one. Op config becomes typed DAG params (the job's
``config`` gives their defaults), a ``retry_policy`` task retries, a partitioned job the same
timetable as partitioned assets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asset2airflow.airflow.dag_ids import check_airflow_id
from asset2airflow.airflow.dag_plan import DagPlan, OpJobSource, OpTaskPlan, SchedulePlan
from asset2airflow.airflow.instigator_plan import apply_instigators
from asset2airflow.airflow.params import (
    ParamPlan,
    config_params,
    partition_key_param,
    with_job_config,
)
from asset2airflow.airflow.partitions import RuntimePartitions, root_partition_plan
from asset2airflow.airflow.plan_parts import retry_settings
from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.asset_graph.op_graph import OpStep
from asset2airflow.authoring.op_jobs import JobDefinition
from asset2airflow.errors import DefinitionError
from asset2airflow.execution.job_runner import job_run_config


def _doc(step: OpStep) -> str | None:
    op_def = step.op_def
    lines = [f"**op** `{op_def.name}`" + (f": {op_def.description}" if op_def.description else "")]
    if op_def.tags:
        lines.append("tags: " + ", ".join(f"`{k}={v}`" for k, v in sorted(op_def.tags.items())))
    described = [(f"input `{n}`", i.description) for n, i in op_def.ins.items()]
    described += [(f"output `{n}`", o.description) for n, o in op_def.outs.items()]
    lines += [f"{what}: {text}" for what, text in described if text]
    if step.mapped_over is not None:
        lines.append(f"runs once per item of `{step.mapped_over}`")
    return "\n\n".join(lines)


def _task(step: OpStep, job: JobDefinition, returns: str | None) -> OpTaskPlan:
    task_id = check_airflow_id(
        step.name,
        f"the task id of op {step.name!r} of job {job.name!r} ({step.op_def.location})",
        "Give the op (or its graph) a shorter name.",
    )
    return OpTaskPlan(
        task_id=task_id,
        upstream_task_ids=step.upstream_steps,
        mapped_over=step.mapped_over.step if step.mapped_over is not None else None,
        returns_keys_of=returns,
        doc_md=_doc(step),
        **retry_settings(step.retry_policy),
    )


def _mapped_outputs(job: JobDefinition) -> dict[str, str]:
    """Producer step -> the one dynamic output some step is mapped over (Airflow expands over a
    task's single return value, so one per producer)."""
    mapped: dict[str, str] = {}
    for root in sorted(job.op_graph.mapped_roots):
        other = mapped.setdefault(root.step, root.output)
        if other != root.output:
            raise DefinitionError(
                f"job {job.name!r}: ops are mapped over two dynamic outputs of op {root.step!r} "
                f"({other!r} and {root.output!r}); in Airflow a task expands over one returned "
                "list. Map over one of them and collect the other, or split the op."
            )
    return mapped


def job_params(job: JobDefinition) -> tuple[ParamPlan, ...]:
    """A param per config field of every op (``<op path>__<field>``), defaults from the job's
    ``config`` (nullable and empty with a ``PartitionedConfig``), plus ``partition_key`` for a
    job partitioned at run time."""
    defaults: Mapping[str, Any] = job_run_config(job).get("ops", {})
    params: list[ParamPlan] = []
    if job.partitions_def is not None:
        partitions = root_partition_plan(job.partitions_def)
        if isinstance(partitions, RuntimePartitions):
            params.append(partition_key_param(partitions))
    for step in job.op_graph.steps:
        config_type = step.op_def.config_type
        if config_type is not None:
            params.extend(config_params(step.name, config_type))
    return with_job_config(params, defaults, job.partitioned_config is not None)


def build_op_dag_plan(job: JobDefinition, dag_id_prefix: str = "") -> DagPlan:
    dag_id = check_airflow_id(
        dag_id_prefix + job.name,
        f"the DAG id of job {job.name!r}",
        f"Rename job {job.name!r} (or change dag_id_prefix).",
    )
    mapped = _mapped_outputs(job)
    tasks = tuple(_task(s, job, mapped.get(s.name)) for s in job.op_graph.steps)
    partitions = root_partition_plan(job.partitions_def) if job.partitions_def else None
    tags = {"asset2airflow", "job:ops"} | {f"{k}:{v}" if v else k for k, v in job.tags.items()}
    return DagPlan(
        dag_id=dag_id,
        description=job.description or f"Op job {job.name!r}: {len(tasks)} ops",
        tags=tuple(sorted(t[:100] for t in tags)),
        owner="airflow",
        schedule=SchedulePlan(partitions=partitions),
        tasks=tasks,
        params=job_params(job),
        asset_keys=(),
        source=OpJobSource(job.name),
        doc_md=f"Op job `{job.name}` ({job.location}).",
    )


def build_op_dag_plans(
    defs: Definitions, *, dag_id_prefix: str = "", only_dag_id: str | None = None
) -> list[DagPlan]:
    """One plan per op job of ``defs``, sorted by dag id (``only_dag_id``: just that one),
    with what schedules and run status sensors change in them (``apply_instigators``)."""
    plans = [
        build_op_dag_plan(job, dag_id_prefix)
        for job in defs.op_jobs
        if only_dag_id is None or dag_id_prefix + job.name == only_dag_id
    ]
    plans = apply_instigators(defs, plans, dag_id_prefix)
    return sorted(plans, key=lambda p: p.dag_id)
