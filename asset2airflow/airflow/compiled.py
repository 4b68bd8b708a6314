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
from asset2airflow.definitions.airflow_options import task_id_of
from asset2airflow.definitions.keys import AssetKey
from asset2airflow.errors import DefinitionError
from asset2airflow.execution.plan import ExecutionStep, build_plan


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

    def step_for(self, task_id: str, selected: set[str]) -> ExecutionStep | None:
        """The task's step narrowed to the selected assets; ``None`` when none is selected.

        A multi-asset that cannot subset runs whole if any of its assets is selected.
        """
        step = self.steps[task_id]
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


def load_compiled_dag(source: Path, dag_id: str, task_ids: Sequence[str]) -> CompiledDag:
    """What a file written by ``asset2airflow render`` runs: the source module's plan for
    ``dag_id``, checked against the task ids the file was rendered with."""
    from asset2airflow.airflow.plan import build_dag_plans
    from asset2airflow.loading import definitions_in, import_file

    token = _importing_for_rendered_file.set(True)
    try:
        defs = definitions_in(import_file(source), str(source))
    finally:
        _importing_for_rendered_file.reset(token)
    plans = build_dag_plans(defs, only_dag_id=dag_id)
    current = [t.task_id for t in plans[0].tasks] if plans else []
    if sorted(current) != sorted(task_ids):
        raise DefinitionError(
            f"the rendered DAG {dag_id!r} is stale: {source} now yields tasks {current}, the file "
            f"was rendered with {list(task_ids)}. Re-run `asset2airflow render`."
        )
    return CompiledDag(defs, plans[0])
