"""A compiled DAG's runtime view: the definitions, its plan and its execution steps, shared by
every task of the DAG (no Airflow imports)."""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from asset2airflow.airflow.plan import DagPlan
from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.authoring.airflow_options import task_id_of
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.errors import DefinitionError
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
        return {t.task_id: t.asset_keys for t in self.plan.tasks}

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


_importing_for_rendered_file: ContextVar[bool] = ContextVar(
    "importing_for_rendered_file", default=False
)


def building_suppressed() -> bool:
    """True while a rendered DAG file imports its source module: that module's own
    ``build_dags`` call must not register a second copy of the DAG."""
    return _importing_for_rendered_file.get()


def load_compiled_dag(
    source: Path, dag_id: str, task_ids: Sequence[str], execution: str = "per_asset"
) -> CompiledDag:
    """What a file written by ``asset2airflow render`` runs: the source module's plan for
    ``dag_id`` (rendered with ``execution``), checked against the file's task ids."""
    from asset2airflow.airflow.plan import build_dag_plans
    from asset2airflow.loading import definitions_in, import_file

    token = _importing_for_rendered_file.set(True)
    try:
        defs = definitions_in(import_file(source), str(source))
    finally:
        _importing_for_rendered_file.reset(token)
    plans = build_dag_plans(defs, only_dag_id=dag_id, execution=execution)
    current = [t.task_id for t in plans[0].tasks] if plans else []
    if sorted(current) != sorted(task_ids):
        raise DefinitionError(
            f"the rendered DAG {dag_id!r} is stale: {source} now yields tasks {current}, the file "
            f"was rendered with {list(task_ids)}. Re-run `asset2airflow render`."
        )
    return CompiledDag(defs, plans[0])
