"""A built DAG's runtime view, shared by its tasks (no Airflow imports): ``CompiledDag`` (asset
DAGs: the definitions, the plan, its execution steps), ``CompiledJob`` (op job DAGs) and
``CompiledInstigator`` (schedule/sensor DAGs). ``compiled_view`` makes the one a plan needs;
``load_compiled`` is what a file written by ``asset2airflow render`` runs."""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from asset2airflow.airflow.dag_plan import (
    AssetsSource,
    DagPlan,
    InstigatorSource,
    OpJobSource,
    OpTaskPlan,
)
from asset2airflow.airflow.planner import plan_dags
from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.authoring.airflow_options import task_id_of
from asset2airflow.authoring.jobs import ExecutionMode
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.authoring.op_jobs import JobDefinition
from asset2airflow.authoring.run_status_sensors import RunStatusSensorDefinition
from asset2airflow.authoring.schedules import ScheduleDefinition
from asset2airflow.authoring.sensors import SensorDefinition
from asset2airflow.errors import DefinitionError, ExecutionError
from asset2airflow.execution.plan import ExecutionStep, build_plan, build_step


@dataclass(frozen=True, eq=False)
class CompiledDag:
    defs: Definitions
    plan: DagPlan

    @cached_property
    def steps(self) -> dict[str, ExecutionStep]:
        """The DAG's steps by task id."""
        graph = self.defs.asset_graph
        keys = {AssetKey.from_user_string(k) for k in self.plan.asset_keys}
        checks = {c.key for k in keys for c in graph.checks_for(k)}
        return {task_id_of(s.name, s.assets_def): s for s in build_plan(graph, keys, checks).steps}

    @cached_property
    def task_asset_keys(self) -> dict[str, tuple[str, ...]]:
        """The asset keys (user strings) each task materializes, by task id."""
        return {t.task_id: t.asset_keys for t in self.plan.asset_tasks}

    def _step(self, task_id: str) -> ExecutionStep:
        """The task's step (``steps[task_id]``). A task of a worker runs one step: unless every
        step is planned already, only that one is (10,000 assets: 0.1-0.4 s less per task)."""
        if "steps" in self.__dict__:
            return self.steps[task_id]
        graph = self.defs.asset_graph
        keys = [AssetKey.from_user_string(k) for k in self.task_asset_keys.get(task_id, ())]
        if keys:
            assets_def = graph.get(keys[0])
            checks = {c.key for k in keys for c in graph.checks_for(k)}
            step = build_step(graph, assets_def, set(keys), checks)
            if (
                step is not None
                and set(step.asset_keys) == set(keys)
                and task_id_of(step.name, step.assets_def) == task_id
            ):
                return step
        return self.steps[task_id]

    def step_for(self, task_id: str, selected: set[str]) -> ExecutionStep | None:
        """The task's step narrowed to the selected assets; ``None`` when none is selected.

        A multi-asset that cannot subset runs whole if any of its assets is selected.
        """
        step = self._step(task_id)
        keys = tuple(k for k in step.asset_keys if k.to_user_string() in selected)
        if not keys:
            return None
        if len(keys) == len(step.asset_keys) or not (
            step.assets_def and step.assets_def.can_subset
        ):
            return step
        return replace(
            step, asset_keys=keys, checks=tuple(c for c in step.checks if c.spec.asset_key in keys)
        )

    def steps_in_order(self, selected: set[str]) -> list[ExecutionStep]:
        """Every step of the DAG narrowed to the selected assets, in dependency order (what a
        fused task runs); steps with no selected asset are left out."""
        narrowed = (self.step_for(task_id, selected) for task_id in self.steps)
        return [step for step in narrowed if step is not None]

    @property
    def config_node_names(self) -> list[str]:
        return sorted({p.node_name for p in self.plan.params if p.node_name})


@dataclass(frozen=True, eq=False)
class CompiledJob:
    """An op DAG's runtime view, shared by its tasks: the job and its plan."""

    defs: Definitions
    plan: DagPlan
    job: JobDefinition

    @property
    def resources(self) -> dict[str, Any]:
        """``Definitions`` resources, overridden by the job's own ``resource_defs``."""
        return {**self.defs.resources, **self.job.resource_defs}

    def task(self, task_id: str) -> OpTaskPlan:
        return next(t for t in self.plan.op_tasks if t.task_id == task_id)


@dataclass(eq=False)
class CompiledInstigator:
    """A schedule's/sensor's DAG at run time: the definitions, its plan, and how to plan its
    target DAGs (same prefix and dags folder as ``build_dags``)."""

    defs: Definitions
    plan: DagPlan
    dags_folder: Path | None
    _targets: dict[str, DagPlan] = field(default_factory=dict)

    @property
    def source(self) -> InstigatorSource:
        assert isinstance(self.plan.source, InstigatorSource)
        return self.plan.source

    def definition(self) -> ScheduleDefinition | SensorDefinition:
        for candidate in [*self.defs.schedules, *self.defs.sensors]:
            if candidate.name == self.source.name and not isinstance(
                candidate, RunStatusSensorDefinition
            ):
                return candidate
        raise ExecutionError(f"no schedule or sensor named {self.source.name!r} any more")

    def target_plan(self, dag_id: str) -> DagPlan:
        if dag_id not in self._targets:
            found = plan_dags(
                self.defs,
                dag_id_prefix=self.source.dag_id_prefix,
                only_dag_id=dag_id,
                dags_folder=self.dags_folder,
            )
            if not found or isinstance(found[0].source, InstigatorSource):
                raise ExecutionError(
                    f"{self.source.name!r}: its target DAG {dag_id!r} is not built"
                )
            self._targets[dag_id] = found[0]
        return self._targets[dag_id]


COMPILED_ATTRIBUTE = "_asset2airflow_compiled"
"""Where a built DAG keeps its compiled view: a mapped task is re-created by Airflow from its
``.partial()`` arguments, so it finds its job through its DAG."""

Compiled = CompiledDag | CompiledJob | CompiledInstigator


def compiled_view(plan: DagPlan, defs: Definitions, dags_folder: Path | None) -> Compiled:
    """The runtime view the plan's tasks share (by what the DAG is made from)."""
    source = plan.source
    if isinstance(source, OpJobSource):
        job = next(j for j in defs.op_jobs if j.name == source.job_name)
        return CompiledJob(defs, plan, job)
    if isinstance(source, InstigatorSource):
        return CompiledInstigator(defs, plan, dags_folder)
    assert isinstance(source, AssetsSource)
    return CompiledDag(defs, plan)


_importing_for_rendered_file: ContextVar[bool] = ContextVar(
    "importing_for_rendered_file", default=False
)


def building_suppressed() -> bool:
    """True while a rendered DAG file imports its source module: that module's own
    ``build_dags`` call must not register a second copy of the DAG."""
    return _importing_for_rendered_file.get()


def load_compiled(
    source: Path,
    dag_id: str,
    task_ids: Sequence[str],
    execution: ExecutionMode | str = ExecutionMode.PER_ASSET,
    dag_per: str = "job_or_group",
) -> Compiled:
    """What a file written by ``asset2airflow render`` runs: the source module's plan for
    ``dag_id`` (rendered with ``execution`` and ``dag_per``), checked against the file's task
    ids."""
    from asset2airflow.loading import definitions_in, import_file

    token = _importing_for_rendered_file.set(True)
    try:
        defs = definitions_in(import_file(source), str(source))
    finally:
        _importing_for_rendered_file.reset(token)
    plans = plan_dags(defs, dag_per=dag_per, only_dag_id=dag_id, execution=execution)
    current = [t.task_id for t in plans[0].tasks] if plans else []
    if sorted(current) != sorted(task_ids):
        raise DefinitionError(
            f"the rendered DAG {dag_id!r} is stale: {source} now yields tasks {current}, the file "
            f"was rendered with {list(task_ids)}. Re-run `asset2airflow render`."
        )
    return compiled_view(plans[0], defs, None)
