"""Running a graph asset's ops inside the asset's one step (one Airflow task): the ops run in
dependency order, mapped ops once per item, their intermediate values kept in memory (never
stored by an IO manager); the graph's outputs are the asset values, stored by the asset's own
IO manager as for any asset.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asset2airflow.asset_graph.op_graph import OpGraph
from asset2airflow.authoring.config import Config
from asset2airflow.authoring.context import AssetExecutionContext
from asset2airflow.authoring.op_config import graph_config_field
from asset2airflow.errors import MissingResourceError
from asset2airflow.execution.op_sequence import run_op_steps
from asset2airflow.execution.op_step import OpRunEnvironment
from asset2airflow.execution.run_config import ParsedRunConfig
from asset2airflow.io import InMemoryIOManager


class _AssetResources:
    """The asset's resources (already set up for its step), and one in-memory IO manager for
    every IO manager key the inner ops' outputs name."""

    def __init__(self, values: Mapping[str, Any], io_keys: set[str], owner: str) -> None:
        self._values = dict(values)
        self._memory = InMemoryIOManager()
        self._io_keys = io_keys
        self._owner = owner

    def get(self, key: str, needed_by: str) -> Any:
        if key in self._io_keys:
            return self._memory
        if key not in self._values:
            raise MissingResourceError(
                f"{needed_by} (inside {self._owner}) needs resource {key!r}, which is not "
                f"provided; provided: {sorted(self._values)}."
            )
        return self._values[key]

    def get_many(self, keys: frozenset[str] | set[str], needed_by: str) -> dict[str, Any]:
        return {key: self.get(key, needed_by) for key in keys}


def run_graph_in_asset(
    graph: OpGraph,
    owner: str,
    context: AssetExecutionContext,
    config: Config | None,
    inputs: Mapping[str, Any],
) -> dict[str, Any]:
    """The values of ``graph``'s outputs, its ops run on ``inputs`` (upstream asset values);
    raises the first op error."""
    io_keys = {o.io_manager_key for s in graph.steps for o in s.op_def.outs.values()}
    node_config = {
        s.name: {"config": getattr(config, graph_config_field(s.name)).model_dump()}
        for s in graph.steps
        if s.op_def.config_type is not None and config is not None
    }
    env = OpRunEnvironment(
        graph,
        _AssetResources(context.resources.original_dict(), io_keys, owner),
        ParsedRunConfig({"ops": node_config}, [s.name for s in graph.steps]),
        context.run_id,
        owner,
        getattr(context, "_partitions", None),
        run_tags=context.run_tags,
        external_values=dict(inputs),
    )
    outcomes = {o.step.name: o for o in run_op_steps(env, stop_on_error=True)}
    values: dict[str, Any] = {}
    for name, ref in graph.outputs.items():
        produced = outcomes.get(ref.step)
        if produced is not None and ref.output in produced.values:
            values[name] = produced.values[ref.output]
    return values
