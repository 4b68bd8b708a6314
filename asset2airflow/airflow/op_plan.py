"""Op jobs -> DAG plans, as plain sorted data (no Airflow imports).

Each op job in ``Definitions(jobs=[...])`` is one DAG (id: ``dag_id_prefix + job name``) with
one task per op, task id = the op's node path (``outer.inner`` inside nested graphs). An op
mapped over a ``DynamicOut`` is a mapped task expanded over the mapping keys its producer
returns (its XCom ``return_value``); ``.collect()`` is a plain task downstream of the mapped
one. Op config becomes typed DAG params (the job's ``config`` gives their defaults), a
``retry_policy`` task retries, a partitioned job the same timetable as partitioned assets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from asset2airflow.airflow.arguments import retry_arguments
from asset2airflow.airflow.dag_ids import check_airflow_id
from asset2airflow.airflow.params import (
    ParamPlan,
    config_params,
    partition_key_param,
    with_job_config,
)
from asset2airflow.airflow.partitions import root_partition_plan
from asset2airflow.airflow.plan import DagPlan, SchedulePlan, retry_settings
from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.asset_graph.op_graph import OpStep
from asset2airflow.authoring.op_jobs import JobDefinition
from asset2airflow.errors import DefinitionError
from asset2airflow.execution.job_runner import job_run_config

OP_TRIGGER_RULE = "none_failed"
"""An op task runs when no upstream failed; it skips itself when an input it reads was not
produced (an optional output, a skipped upstream), as Dagster skips such ops."""


@dataclass(frozen=True)
class OpTaskPlan:
    """One op task. ``mapped_over``: the producer task whose returned mapping keys the task
    expands over; ``returns_keys_of``: the dynamic output whose keys this task returns."""

    task_id: str
    upstream_task_ids: tuple[str, ...]
    mapped_over: str | None = None
    returns_keys_of: str | None = None
    retries: int = 0
    retry_delay_seconds: float = 0.0
    retry_exponential_backoff: float = 0.0
    doc_md: str | None = None


@dataclass(frozen=True)
class OpDagPlan:
    """An op job's DAG: ``dag`` holds the DAG-level plan (id, schedule, params, tags; its
    ``tasks`` are empty), ``tasks`` the op tasks in dependency order."""

    dag: DagPlan
    job_name: str
    tasks: tuple[OpTaskPlan, ...]

    @property
    def dag_id(self) -> str:
        return self.dag.dag_id


@dataclass(frozen=True, eq=False)
class CompiledJob:
    """An op DAG's runtime view, shared by its tasks: the job and its plan."""

    defs: Definitions
    plan: OpDagPlan
    job: JobDefinition

    @property
    def resources(self) -> dict[str, Any]:
        """``Definitions`` resources, overridden by the job's own ``resource_defs``."""
        return {**self.defs.resources, **self.job.resource_defs}

    def task(self, task_id: str) -> OpTaskPlan:
        return next(t for t in self.plan.tasks if t.task_id == task_id)


def op_task_arguments(task: OpTaskPlan) -> dict[str, Any]:
    """Keyword arguments of the op task's operator (``.partial()`` for a mapped one)."""
    arguments: dict[str, Any] = {
        "task_id": task.task_id,
        "doc_md": task.doc_md,
        "trigger_rule": OP_TRIGGER_RULE,
    }
    if task.mapped_over is not None:
        arguments["map_index_template"] = "{{ task.mapping_key }}"
    arguments.update(retry_arguments(task))
    return arguments


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
        if partitions.kind == "runtime":
            params.append(partition_key_param(partitions))
    for step in job.op_graph.steps:
        config_type = step.op_def.config_type
        if config_type is not None:
            params.extend(config_params(step.name, config_type))
    return with_job_config(params, defaults, job.partitioned_config is not None)


def build_op_dag_plan(job: JobDefinition, dag_id_prefix: str = "") -> OpDagPlan:
    dag_id = check_airflow_id(
        dag_id_prefix + job.name,
        f"the DAG id of job {job.name!r}",
        f"Rename job {job.name!r} (or change dag_id_prefix).",
    )
    mapped = _mapped_outputs(job)
    tasks = tuple(_task(s, job, mapped.get(s.name)) for s in job.op_graph.steps)
    partitions = root_partition_plan(job.partitions_def) if job.partitions_def else None
    tags = {"asset2airflow", "job:ops"} | {f"{k}:{v}" if v else k for k, v in job.tags.items()}
    header = DagPlan(
        dag_id=dag_id,
        description=job.description or f"Op job {job.name!r}: {len(tasks)} ops",
        tags=tuple(sorted(t[:100] for t in tags)),
        owner="airflow",
        schedule=SchedulePlan(partitions=partitions),
        tasks=(),
        params=job_params(job),
        asset_keys=(),
        doc_md=f"Op job `{job.name}` ({job.location}).",
    )
    return OpDagPlan(header, job.name, tasks)


def build_op_dag_plans(
    defs: Definitions, *, dag_id_prefix: str = "", only_dag_id: str | None = None
) -> list[OpDagPlan]:
    """One plan per op job of ``defs``, sorted by dag id (``only_dag_id``: just that one)."""
    plans = []
    for job in defs.op_jobs:
        if only_dag_id is not None and dag_id_prefix + job.name != only_dag_id:
            continue
        plans.append(build_op_dag_plan(job, dag_id_prefix))
    if defs.schedules or defs.sensors:  # cron schedules, run status callbacks (instigator_plan)
        from asset2airflow.airflow.instigator_plan import apply_instigators

        headers = apply_instigators(defs, [p.dag for p in plans], dag_id_prefix)
        plans = [replace(p, dag=h) for p, h in zip(plans, headers, strict=True)]
    return sorted(plans, key=lambda p: p.dag_id)


def describe_op_plans(plans: list[OpDagPlan]) -> list[dict[str, Any]]:
    """What ``asset2airflow dags`` prints for op jobs (the shape of ``render.describe_plans``,
    plus each task's ``mapped_over``)."""
    from asset2airflow.airflow.arguments import schedule_argument

    return [
        {
            "dag_id": p.dag_id,
            "job": p.job_name,
            "schedule": repr(schedule_argument(p.dag.schedule)),
            "tags": list(p.dag.tags),
            "params": [param.name for param in p.dag.params],
            "tasks": [
                {
                    "task_id": t.task_id,
                    "upstream": list(t.upstream_task_ids),
                    "outlets": [],
                    "checks": [],
                    "retries": t.retries,
                    "mapped_over": t.mapped_over,
                }
                for t in p.tasks
            ],
        }
        for p in plans
    ]
