"""Assets -> DAG plans (``dag_plan``): which asset DAGs exist, their tasks, edges, outlets,
schedules and params, as plain sorted data (no Airflow imports). ``planner.plan_dags`` adds the
op job and schedule/sensor DAGs.

DAG rules: each ``define_asset_job`` is a DAG named after the job; assets in no job form one DAG
per asset group (``dag_id_prefix + group``), ungrouped assets one DAG per defining module
(``<module>.default``, see ``dag_ids``), or one DAG per asset with ``dag_per="asset"``. Two
sources of one DAG id, and ids Airflow would reject, are errors naming the job/group/module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asset2airflow.airflow.automation import plan_automation
from asset2airflow.airflow.dag_ids import check_airflow_id, default_dags_folder, ungrouped_dag_name
from asset2airflow.airflow.dag_plan import (
    AssetRefPlan,
    AssetsSource,
    DagPlan,
    FusedTaskPlan,
    SchedulePlan,
    TaskPlan,
)
from asset2airflow.airflow.dynamic import REGISTRY_ALIAS
from asset2airflow.airflow.instigator_plan import apply_instigators
from asset2airflow.airflow.params import ParamPlan, params_for_dag
from asset2airflow.airflow.partitions import UpstreamPartitions as Upstream
from asset2airflow.airflow.partitions import plan_partitions
from asset2airflow.airflow.plan_parts import (
    URI_SCHEME,
    asset_ref,
    io_managers,
    registries,
    retry_settings,
)
from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.asset_graph.graph import AssetGraph
from asset2airflow.authoring.airflow_options import task_id_of, task_options
from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.jobs import AssetJobDefinition, ExecutionMode, check_execution
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.authoring.specs import DEFAULT_GROUP
from asset2airflow.errors import DefinitionError, DuplicateKeyError
from asset2airflow.execution.plan import ExecutionStep, build_plan

__all__ = ["FUSED_TASK_ID", "URI_SCHEME", "build_dag_plans"]

DAG_PER_CHOICES = ("job_or_group", "asset")
FUSED_TASK_ID = "materialize"
"""The one task of a fused DAG (``execution="fused"``)."""


def _task(
    graph: AssetGraph,
    managers: Mapping[str, Any],
    step: ExecutionStep,
    dynamic: tuple[AssetRefPlan, ...] = (),
    task_ids: Mapping[str, str] | None = None,
) -> TaskPlan:
    assets_def = step.assets_def
    assert assets_def is not None
    policy = assets_def.retry_policy
    specs = [graph.spec(k) for k in step.asset_keys]
    owners = sorted({o for s in specs for o in s.owners})
    docs = [f"**{s.key.to_user_string()}**: {s.description}" for s in specs if s.description]
    task_ids = task_ids or {}
    options = task_options(assets_def)
    task_id = check_airflow_id(
        task_id_of(step.name, assets_def),
        f"the task id of {assets_def.node_name!r} ({assets_def.location})",
        "Give the asset a shorter name or key_prefix.",
    )
    return TaskPlan(
        task_id=task_id,
        asset_keys=tuple(k.to_user_string() for k in step.asset_keys),
        check_names=tuple(c.key.to_user_string() for c in step.checks),
        outlets=tuple(asset_ref(graph, managers, k) for k in step.asset_keys),
        upstream_task_ids=tuple(task_ids.get(s, s) for s in step.upstream_steps),
        inlets=tuple(asset_ref(graph, managers, k) for k in step.reads) + dynamic,
        # Any task may add dynamic partitions (context.instance), through the registry alias.
        alias_outlets=(REGISTRY_ALIAS,) if dynamic else (),
        **retry_settings(policy),
        owner=", ".join(owners) or None,
        doc_md="\n\n".join(docs) or None,
        arguments=options.arguments if options is not None else (),
    )


def _fused_task(
    graph: AssetGraph,
    managers: Mapping[str, Any],
    steps: Sequence[ExecutionStep],
    dynamic: tuple[AssetRefPlan, ...],
    dag_id: str,
) -> FusedTaskPlan:
    """The one task of a fused DAG: every asset of the DAG is its outlet, every asset it reads
    from elsewhere its inlet. Retries are each asset's own ``RetryPolicy``, applied in the task
    (Airflow retries of the task, e.g. from ``default_args``, re-run only what failed)."""
    for step in steps:
        if task_options(step.assets_def) is not None:
            assert step.assets_def is not None
            raise DefinitionError(
                f"asset {step.assets_def.node_name!r} ({step.assets_def.location}) pins Airflow "
                f"task options with airflow_task(...), but DAG {dag_id!r} is fused into one "
                "task. Drop airflow_task, pin DAG options with airflow_dag, or use "
                'execution="per_asset" for this DAG.'
            )
    produced = [k for s in steps for k in s.asset_keys]
    produced_set = set(produced)
    reads = sorted({k for s in steps for k in s.reads if k not in produced_set})
    specs = [graph.spec(k) for k in produced]
    owners = sorted({o for s in specs for o in s.owners})
    return FusedTaskPlan(
        task_id=FUSED_TASK_ID,
        asset_keys=tuple(k.to_user_string() for k in produced),
        check_names=tuple(c.key.to_user_string() for s in steps for c in s.checks),
        outlets=tuple(asset_ref(graph, managers, k) for k in produced),
        upstream_task_ids=(),
        inlets=tuple(asset_ref(graph, managers, k) for k in reads) + dynamic,
        alias_outlets=(REGISTRY_ALIAS,) if dynamic else (),
        owner=", ".join(owners) or None,
        doc_md=f"Materializes the {len(produced)} assets of this DAG in dependency order, in "
        "one task (fused execution). Per-asset status: the task's XCom 'asset2airflow'.",
    )


def _schedule(
    graph: AssetGraph,
    managers: Mapping[str, Any],
    steps: Sequence[ExecutionStep],
    dag_id: str,
    dag_of: Mapping[AssetKey, str],
) -> SchedulePlan:
    produced = {k for s in steps for k in s.asset_keys}
    upstream = sorted({k for s in steps for k in s.reads if k not in produced})
    partitions = plan_partitions(
        graph, produced, upstream, dag_id, lambda k: dag_of.get(k, "outside these definitions")
    )
    automation = plan_automation(graph, produced, upstream, dag_id)
    cron, timezone = automation.cron, automation.timezone
    if partitions is not None:
        if cron is not None:
            raise DefinitionError(
                f"DAG {dag_id!r} is partitioned and its assets also have an on_cron "
                f"automation condition ({cron!r}); a partitioned DAG runs on its partitions' "
                "schedule. Drop the automation_condition."
            )
        triggering = [k for k, _ in partitions.mappers] if isinstance(partitions, Upstream) else []
        refs = tuple(asset_ref(graph, managers, k) for k in triggering)
        return SchedulePlan(refs, None, "UTC", partitions)
    return SchedulePlan(
        tuple(asset_ref(graph, managers, k) for k in upstream),
        cron,
        timezone,
        condition=automation.condition.map(lambda k: asset_ref(graph, managers, k))
        if automation.condition is not None
        else None,
        extra_crons=automation.crons[1:],
        once=automation.once,
    )


@dataclass(frozen=True)
class _DagMembers:
    """The assets of one DAG and what made the DAG exist (named in errors)."""

    dag_id: str
    job: AssetJobDefinition | None
    keys: set[AssetKey]
    source: str


def _dag_members(
    defs: Definitions, dag_per: str, prefix: str, dags_folder: Path | None
) -> list[_DagMembers]:
    if dag_per not in DAG_PER_CHOICES:
        raise DefinitionError(f"dag_per={dag_per!r} is not one of {DAG_PER_CHOICES}")
    graph = defs.asset_graph
    members: dict[str, _DagMembers] = {}

    def add(dag_id: str, job: AssetJobDefinition | None, keys: set[AssetKey], source: str) -> None:
        check_airflow_id(
            dag_id,
            f"the DAG id of {source}",
            "Choose a shorter or plainer name (or dag_id_prefix)."
            if job is None
            else f"Rename job {job.name!r} (or change dag_id_prefix).",
        )
        other = members.get(dag_id)
        if other is not None and other.source != source:
            raise DuplicateKeyError(
                f"DAG id {dag_id!r} would be made twice: by {other.source} and by {source}. "
                "Rename the job or the asset group."
            )
        if other is not None:
            other.keys.update(keys)
        else:
            members[dag_id] = _DagMembers(dag_id, job, set(keys), source)

    in_jobs: set[AssetKey] = set()
    for job in defs.asset_jobs:  # op jobs are planned by ``op_plan``
        keys = job.selection.resolve(graph) & set(graph.materializable_keys)
        pinned_id = job.airflow.dag_id if job.airflow is not None else None  # airflow_dag
        add(pinned_id or prefix + job.name, job, keys, f"job {job.name!r}")
        in_jobs |= keys
    for assets_def in graph.toposorted_nodes:
        keys = {k for k in assets_def.keys if k not in in_jobs}
        if keys:
            name, source = _dag_name(graph, assets_def, dag_per, dags_folder)
            add(prefix + name, None, keys, source)
    return sorted(members.values(), key=lambda m: m.dag_id)


def _dag_name(
    graph: AssetGraph, assets_def: AssetsDefinition, dag_per: str, dags_folder: Path | None
) -> tuple[str, str]:
    """(DAG name, what it is named after) for assets in no job. A multi-asset runs once, so all
    its assets go to the DAG of its first asset's group."""
    if dag_per == "asset":
        return assets_def.node_name, f"asset {assets_def.node_name!r}"
    group = graph.spec(sorted(assets_def.keys)[0]).group_name or DEFAULT_GROUP
    if group != DEFAULT_GROUP:
        return group, f"asset group {group!r}"
    file = assets_def.location.rsplit(":", 1)[0]
    return ungrouped_dag_name(assets_def.location, dags_folder), f"ungrouped assets of {file}"


def build_dag_plans(
    defs: Definitions,
    *,
    dag_per: str = "job_or_group",
    dag_id_prefix: str = "",
    only_dag_id: str | None = None,
    dags_folder: str | Path | None = None,
    execution: ExecutionMode | str = ExecutionMode.PER_ASSET,
) -> list[DagPlan]:
    """One plan per DAG, sorted by dag id, identical for identical definitions.

    ``only_dag_id`` plans just that DAG (a worker needs only the DAG it runs). ``dags_folder``
    (default: Airflow's, see ``dag_ids.default_dags_folder``) names the DAGs of ungrouped assets.
    ``execution`` is ``per_asset`` (a task per asset or multi-asset) or ``fused`` (one task per
    DAG); a job's own ``define_asset_job(execution=...)`` wins for its DAG.
    """
    default_mode = check_execution(execution, "build_dags")
    graph = defs.asset_graph
    folder = Path(dags_folder) if dags_folder is not None else default_dags_folder()
    managers = io_managers(defs)
    plans = []
    all_members = _dag_members(defs, dag_per, dag_id_prefix, folder.absolute())
    dag_of = {k: m.dag_id for m in all_members for k in m.keys}
    dynamic = registries(graph)
    for members in all_members:
        dag_id, job, keys = members.dag_id, members.job, members.keys
        if not keys or (only_dag_id is not None and dag_id != only_dag_id):
            continue
        check_keys = {c.key for k in keys for c in graph.checks_for(k)}
        steps = build_plan(graph, keys, check_keys).steps
        specs = [graph.spec(k) for k in sorted(keys)]
        tags = {"asset2airflow"}
        tags |= {f"group:{s.group_name}" for s in specs if s.group_name}
        tags |= {f"kind:{kind}" for s in specs for kind in s.kinds}
        tags |= {f"{k}:{v}" if v else k for s in specs for k, v in s.tags.items()}
        if job is not None:
            tags |= {f"{k}:{v}" if v else k for k, v in job.tags.items()}
        owners = sorted({o for s in specs for o in s.owners})
        key_names = tuple(k.to_user_string() for k in sorted(keys))
        schedule = _schedule(graph, managers, steps, dag_id, dag_of)
        task_ids = {s.name: task_id_of(s.name, s.assets_def) for s in steps}
        mode = (job.execution if job is not None else None) or default_mode
        tasks: tuple[TaskPlan, ...] = (
            (_fused_task(graph, managers, steps, dynamic, dag_id),)
            if mode is ExecutionMode.FUSED
            else tuple(_task(graph, managers, s, dynamic, task_ids) for s in steps)
        )
        pinned = job.airflow.arguments if job is not None and job.airflow is not None else ()
        description = (job.description if job and job.description else None) or (
            f"Materializes {len(keys)} asset{'s' if len(keys) != 1 else ''}: "
            + ", ".join(key_names[:10])
            + (", ..." if len(keys) > 10 else "")
        )
        plans.append(
            DagPlan(
                dag_id=dag_id,
                description=description,
                tags=tuple(sorted(t[:100] for t in tags)),
                owner=", ".join(owners) or "airflow",
                schedule=schedule,
                tasks=tasks,
                params=_params(pinned, params_for_dag(steps, key_names, schedule.partitions, job)),
                asset_keys=key_names,
                doc_md=_dag_doc(graph, keys),
                arguments=pinned,
                source=AssetsSource(mode, job.name if job is not None else None),
            )
        )
    return apply_instigators(defs, plans, dag_id_prefix)


def _params(
    pinned: tuple[tuple[str, Any], ...], derived: tuple[ParamPlan, ...]
) -> tuple[ParamPlan, ...]:
    """A DAG pinning ``params`` (``airflow_dag``) keeps only its assets' config params."""
    if any(name == "params" for name, _ in pinned):
        return tuple(p for p in derived if p.node_name is not None)
    return derived


_DOC_ROWS = 50


def _dag_doc(graph: AssetGraph, keys: set[AssetKey]) -> str:
    """A table of the DAG's assets (the first ``_DOC_ROWS``, to keep serialized DAGs small)."""
    lines = ["| asset | group | depends on | checks |", "|---|---|---|---|"]
    ordered = sorted(keys)
    for key in ordered[:_DOC_ROWS]:
        deps = ", ".join(k.to_user_string() for k in graph.upstream[key]) or "-"
        checks = ", ".join(c.spec.name for c in graph.checks_for(key)) or "-"
        group = graph.spec(key).group_name
        lines.append(f"| {key.to_user_string()} | {group} | {deps} | {checks} |")
    if len(ordered) > _DOC_ROWS:
        lines.append(f"\n... and {len(ordered) - _DOC_ROWS} more assets.")
    return "\n".join(lines)
