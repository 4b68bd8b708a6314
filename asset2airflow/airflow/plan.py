"""Definitions -> DAG plans: which DAGs exist, their tasks, edges, outlets, schedules and params,
as plain sorted data (no Airflow imports). The plan is what ``asset2airflow dags`` prints, what
``render`` writes as code, and what ``build_dags`` turns into Airflow objects.

DAG rules: each ``define_asset_job`` is a DAG named after the job; assets in no job form one DAG
per asset group (``dag_id_prefix + group``), ungrouped assets one DAG per defining module
(``<module>.default``, see ``dag_ids``), or one DAG per asset with ``dag_per="asset"``. Two
sources of one DAG id, and ids Airflow would reject, are errors naming the job/group/module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asset2airflow.airflow.automation import Condition, plan_automation
from asset2airflow.airflow.dag_ids import check_airflow_id, default_dags_folder, ungrouped_dag_name
from asset2airflow.airflow.dynamic import (
    REGISTRY_ALIAS,
    REGISTRY_GROUP,
    registry_name,
    registry_uri,
)
from asset2airflow.airflow.params import ParamPlan, params_for_dag
from asset2airflow.airflow.partitions import PartitionPlan, plan_partitions
from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.asset_graph.graph import AssetGraph
from asset2airflow.authoring.airflow_options import task_id_of, task_options
from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.dynamic_partitions import dynamic_names
from asset2airflow.authoring.io_manager import IOManager, IOManagerDefinition
from asset2airflow.authoring.jobs import AssetJobDefinition, check_execution
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.authoring.metadata import metadata_to_json
from asset2airflow.authoring.policy import Backoff, RetryPolicy
from asset2airflow.authoring.specs import DEFAULT_GROUP, DEFAULT_IO_MANAGER_KEY
from asset2airflow.errors import DefinitionError, DuplicateKeyError
from asset2airflow.execution.plan import ExecutionStep, build_plan
from asset2airflow.io import default_io_manager

DAG_PER_CHOICES = ("job_or_group", "asset")
URI_SCHEME = "asset2airflow"
FUSED_TASK_ID = "materialize"
"""The one task of a fused DAG (``execution="fused"``)."""


@dataclass(frozen=True)
class AssetRefPlan:
    """An Airflow ``Asset``: ``uri`` is ``None`` for assets produced elsewhere (referenced by
    name only, so the producer's URI need not be known)."""

    name: str
    uri: str | None = None
    group: str = DEFAULT_GROUP
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TaskPlan:
    task_id: str
    asset_keys: tuple[str, ...]
    check_names: tuple[str, ...]
    outlets: tuple[AssetRefPlan, ...]
    upstream_task_ids: tuple[str, ...]
    inlets: tuple[AssetRefPlan, ...] = ()
    alias_outlets: tuple[str, ...] = ()
    retries: int = 0
    retry_delay_seconds: float = 0.0
    retry_exponential_backoff: float = 0.0
    owner: str | None = None
    doc_md: str | None = None
    # Operator arguments pinned with ``airflow_task``, applied over the derived ones.
    arguments: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class SchedulePlan:
    """``upstream`` assets (all required) and/or a ``cron``; neither means manual runs only.
    A partitioned DAG has ``partitions`` instead of a cron: for the ``assets`` kind the
    ``upstream`` are its partitioned upstreams, each with a mapper."""

    upstream: tuple[AssetRefPlan, ...] = ()
    cron: str | None = None
    timezone: str = "UTC"
    partitions: PartitionPlan | None = None
    # From automation conditions and schedules (``airflow.automation``, ``instigator_plan``):
    # an asset condition replacing ``AssetAll(upstream)``, more crons, or one run only.
    condition: Condition | None = None
    extra_crons: tuple[str, ...] = ()
    once: bool = False

    @property
    def kind(self) -> str:
        if self.partitions is not None:
            return f"partitioned_{self.partitions.kind}"
        if self.once:
            return "once"
        if self.upstream and self.cron:
            return "assets_or_cron"
        return "assets" if self.upstream else "cron" if self.cron else "manual"


@dataclass(frozen=True)
class DagPlan:
    dag_id: str
    description: str
    tags: tuple[str, ...]
    owner: str
    schedule: SchedulePlan
    tasks: tuple[TaskPlan, ...]
    params: tuple[ParamPlan, ...]
    asset_keys: tuple[str, ...]
    doc_md: str = ""
    # Set by schedules and sensors (``instigator_plan.apply_instigators``): paused at creation
    # (``None``: Airflow's default), the schedules that are its timetable, and the run status
    # sensors whose callbacks the DAG runs.
    is_paused_upon_creation: bool | None = None
    schedules: tuple[str, ...] = ()
    failure_sensors: tuple[str, ...] = ()
    success_sensors: tuple[str, ...] = ()
    # ``DAG(...)`` arguments pinned with ``airflow_dag``, applied over the derived ones.
    arguments: tuple[tuple[str, Any], ...] = ()
    execution: str = "per_asset"
    """``per_asset`` (a task per step) or ``fused`` (one task runs every step, ``fused``)."""
    job_name: str | None = None
    """The ``define_asset_job`` the DAG is made from (its tasks read the job's config)."""


def retry_settings(policy: RetryPolicy | None) -> dict[str, Any]:
    """A ``RetryPolicy`` as the task plan's retry fields (asset and op tasks alike)."""
    return {
        "retries": policy.max_retries if policy else 0,
        "retry_delay_seconds": float(policy.delay or 0) if policy else 0.0,
        "retry_exponential_backoff": (
            2.0 if policy and policy.backoff is Backoff.EXPONENTIAL else 0.0
        ),
    }


def _asset_ref(graph: AssetGraph, managers: Mapping[str, Any], key: AssetKey) -> AssetRefPlan:
    assets_def = graph.get(key)
    spec = graph.spec(key)
    options = task_options(assets_def)
    pinned = options.asset_ref(key) if options is not None else None
    if pinned is not None:  # published as a given Airflow asset (``airflow_task(assets=...)``)
        pinned_uri = pinned.uri or pinned.name
        return AssetRefPlan(pinned.name, pinned_uri, pinned.group, dict(pinned.extra))
    if assets_def.is_external:
        return AssetRefPlan(key.to_user_string())
    manager = managers.get(graph.io_manager_key(key))
    uri = (
        manager.storage_uri(key) if isinstance(manager, (IOManager, IOManagerDefinition)) else None
    )
    return AssetRefPlan(
        name=key.to_user_string(),
        uri=uri or f"{URI_SCHEME}://{key.to_user_string()}",
        group=spec.group_name or DEFAULT_GROUP,
        extra=metadata_to_json(spec.metadata),
    )


def _registries(graph: AssetGraph) -> tuple[AssetRefPlan, ...]:
    """The registry assets of the graph's dynamic partitions (see ``airflow.dynamic``)."""
    names = sorted({n for k in graph.all_keys for n in dynamic_names(graph.spec(k).partitions_def)})
    return tuple(
        AssetRefPlan(name=registry_name(n), uri=registry_uri(n), group=REGISTRY_GROUP)
        for n in names
    )


def _task(
    graph: AssetGraph,
    managers: Mapping[str, Any],
    step: ExecutionStep,
    registries: tuple[AssetRefPlan, ...] = (),
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
        outlets=tuple(_asset_ref(graph, managers, k) for k in step.asset_keys),
        upstream_task_ids=tuple(task_ids.get(s, s) for s in step.upstream_steps),
        inlets=tuple(_asset_ref(graph, managers, k) for k in step.reads) + registries,
        # Any task may add dynamic partitions (context.instance), through the registry alias.
        alias_outlets=(REGISTRY_ALIAS,) if registries else (),
        **retry_settings(policy),
        owner=", ".join(owners) or None,
        doc_md="\n\n".join(docs) or None,
        arguments=options.arguments if options is not None else (),
    )


def _fused_task(
    graph: AssetGraph,
    managers: Mapping[str, Any],
    steps: Sequence[ExecutionStep],
    registries: tuple[AssetRefPlan, ...],
    dag_id: str,
) -> TaskPlan:
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
    return TaskPlan(
        task_id=FUSED_TASK_ID,
        asset_keys=tuple(k.to_user_string() for k in produced),
        check_names=tuple(c.key.to_user_string() for s in steps for c in s.checks),
        outlets=tuple(_asset_ref(graph, managers, k) for k in produced),
        upstream_task_ids=(),
        inlets=tuple(_asset_ref(graph, managers, k) for k in reads) + registries,
        alias_outlets=(REGISTRY_ALIAS,) if registries else (),
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
        triggering = [k for k, _ in partitions.mappers]
        refs = tuple(_asset_ref(graph, managers, k) for k in triggering)
        return SchedulePlan(refs, None, "UTC", partitions)
    return SchedulePlan(
        tuple(_asset_ref(graph, managers, k) for k in upstream),
        cron,
        timezone,
        condition=automation.condition.map(lambda k: _asset_ref(graph, managers, k))
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
    execution: str = "per_asset",
) -> list[DagPlan]:
    """One plan per DAG, sorted by dag id, identical for identical definitions.

    ``only_dag_id`` plans just that DAG (a worker needs only the DAG it runs). ``dags_folder``
    (default: Airflow's, see ``dag_ids.default_dags_folder``) names the DAGs of ungrouped assets.
    ``execution`` is ``per_asset`` (a task per asset or multi-asset) or ``fused`` (one task per
    DAG); a job's own ``define_asset_job(execution=...)`` wins for its DAG.
    """
    check_execution(execution, "build_dags")
    graph = defs.asset_graph
    folder = Path(dags_folder) if dags_folder is not None else default_dags_folder()
    # IO managers by key, with the default one built once (its storage URI names outlets).
    managers = {DEFAULT_IO_MANAGER_KEY: default_io_manager(), **defs.resources}
    plans = []
    all_members = _dag_members(defs, dag_per, dag_id_prefix, folder.absolute())
    dag_of = {k: m.dag_id for m in all_members for k in m.keys}
    registries = _registries(graph)
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
        mode = (job.execution if job is not None else None) or execution
        tasks = (
            (_fused_task(graph, managers, steps, registries, dag_id),)
            if mode == "fused"
            else tuple(_task(graph, managers, s, registries, task_ids) for s in steps)
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
                params=_params(
                    pinned, params_for_dag(steps, key_names, schedule.partitions, job)
                ),
                asset_keys=key_names,
                doc_md=_dag_doc(graph, keys),
                arguments=pinned,
                execution=mode,
                job_name=job.name if job is not None else None,
            )
        )
    from asset2airflow.airflow.instigator_plan import apply_instigators

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
