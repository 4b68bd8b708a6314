"""A compiled DAG's runtime view: the definitions, its plan and its execution steps, shared by
every task of the DAG (no Airflow imports)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from asset2airflow.airflow.plan import DagPlan
from asset2airflow.definitions.keys import AssetKey
from asset2airflow.execution.plan import ExecutionStep, build_plan
from asset2airflow.graph.definitions import Definitions


@dataclass(frozen=True, eq=False)
class CompiledDag:
    defs: Definitions
    plan: DagPlan

    @cached_property
    def steps(self) -> dict[str, ExecutionStep]:
        graph = self.defs.asset_graph
        keys = {AssetKey.from_user_string(k) for k in self.plan.asset_keys}
        checks = {c.key for k in keys for c in graph.checks_for(k)}
        return {s.name: s for s in build_plan(graph, keys, checks).steps}

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
