"""The local runner: ``materialize()`` and ``materialize_to_memory()`` on the shared engine."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Union

from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.asset_graph.selection import CoercibleToSelection, resolve_selection
from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.checks import AssetChecksDefinition
from asset2airflow.authoring.config import RunConfig, run_config_dict
from asset2airflow.authoring.dynamic_partitions import (
    DagsterInstance,
    DynamicPartitionsStore,
    dynamic_partitions_store,
)
from asset2airflow.authoring.io_manager import IOManager, IOManagerDefinition
from asset2airflow.authoring.specs import DEFAULT_IO_MANAGER_KEY, AssetSpec
from asset2airflow.execution.partition_key import resolve_partition_key, run_partitions_def
from asset2airflow.execution.plan import ExecutionPlan, build_plan
from asset2airflow.execution.resources import ResourceScope
from asset2airflow.execution.result import ExecutionResult
from asset2airflow.execution.run_config import ParsedRunConfig
from asset2airflow.execution.sequence import RunListener, run_in_order
from asset2airflow.execution.step import RunEnvironment
from asset2airflow.io import InMemoryIOManager

AssetsArg = Iterable[Union[AssetsDefinition, AssetSpec, AssetChecksDefinition]]
RunConfigArg = Union[RunConfig, Mapping[str, Any], None]


def _check_config(plan: ExecutionPlan, parsed: ParsedRunConfig) -> None:
    """Every node's config is valid before anything runs (as Dagster checks run config up
    front): a typo must not fail the run after half the assets were materialized."""
    for step in plan.steps:
        definitions: list[AssetsDefinition | AssetChecksDefinition] = [
            c.definition for c in step.checks if not c.in_asset
        ]
        if step.assets_def is not None:
            definitions.append(step.assets_def)
        for definition in definitions:
            if definition is not None and definition.compute is not None:
                what = f"asset {definition.node_name!r}"
                parsed.config_for(definition.compute, definition.node_name, what)


def _node_names(plan: ExecutionPlan) -> list[str]:
    names = []
    for step in plan.steps:
        if step.assets_def is not None:
            names.append(step.assets_def.node_name)
        names.extend(c.definition.node_name for c in step.checks if not c.in_asset)
    return names


def execute_definitions(
    defs: Definitions,
    *,
    selection: CoercibleToSelection = None,
    run_config: RunConfigArg = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    run_id: str | None = None,
    listener: RunListener | None = None,
    keep_values: bool = True,
    tags: Mapping[str, str] | None = None,
    instance: DynamicPartitionsStore | None = None,
) -> ExecutionResult:
    """Run the selected assets and checks of ``defs`` in this process, in dependency order.

    A step whose inputs failed, were skipped, or are held back by a failed blocking check is
    skipped. With ``raise_on_error`` the first failure is raised (resources are still torn down).
    Dynamic partition keys are read from and added to ``instance`` (a fresh ``DagsterInstance``
    when omitted).
    """
    with dynamic_partitions_store(instance or DagsterInstance.ephemeral()):
        return _execute(
            defs,
            selection,
            run_config,
            partition_key,
            raise_on_error,
            run_id,
            listener,
            keep_values,
            tags,
        )


def _execute(
    defs: Definitions,
    selection: CoercibleToSelection,
    run_config: RunConfigArg,
    partition_key: str | None,
    raise_on_error: bool,
    run_id: str | None,
    listener: RunListener | None,
    keep_values: bool,
    tags: Mapping[str, str] | None,
) -> ExecutionResult:
    graph = defs.asset_graph
    asset_keys, check_keys = resolve_selection(graph, selection)
    plan = build_plan(graph, asset_keys, check_keys)
    partition_key = resolve_partition_key(partition_key, *run_partitions_def(graph, asset_keys))
    parsed = ParsedRunConfig(run_config_dict(run_config), _node_names(plan))
    _check_config(plan, parsed)
    run_id = run_id or str(uuid.uuid4())
    scope = ResourceScope(defs.resources, run_id, parsed.resource_config)
    try:
        env = RunEnvironment(
            graph, scope, parsed, partition_key, run_id, keep_values, run_tags=dict(tags or {})
        )
        ran = run_in_order(env, plan.steps, stop_on_error=raise_on_error, listener=listener)
    except BaseException:
        scope.teardown()  # its failures are logged; the run's own error goes on
        raise
    teardown_errors = scope.teardown()
    if raise_on_error and teardown_errors:
        raise teardown_errors[0]
    return ExecutionResult(run_id, ran.outcomes, ran.skipped, run_errors=teardown_errors)


def _split(
    assets: AssetsArg,
) -> tuple[list[AssetsDefinition | AssetSpec], list[AssetChecksDefinition]]:
    checks = [a for a in assets if isinstance(a, AssetChecksDefinition)]
    others = [a for a in assets if not isinstance(a, AssetChecksDefinition)]
    return others, checks


def materialize(
    assets: AssetsArg,
    resources: Mapping[str, Any] | None = None,
    run_config: RunConfigArg = None,
    partition_key: str | None = None,
    selection: CoercibleToSelection = None,
    raise_on_error: bool = True,
    *,
    run_id: str | None = None,
    tags: Mapping[str, str] | None = None,
    instance: DynamicPartitionsStore | None = None,
) -> ExecutionResult:
    """Materialize assets (and run their checks) in this process, as Dagster's ``materialize``.

    ``assets`` may include ``AssetSpec``s for external upstreams and ``@asset_check``s. Unselected
    upstream values are loaded through their IO managers.
    """
    assets = list(assets)
    asset_defs, checks = _split(assets)
    defs = Definitions(assets=asset_defs, asset_checks=checks, resources=resources)
    return execute_definitions(
        defs,
        selection=selection,
        run_config=run_config,
        partition_key=partition_key,
        raise_on_error=raise_on_error,
        run_id=run_id,
        tags=tags,
        instance=instance,
    )


def materialize_to_memory(
    assets: AssetsArg,
    resources: Mapping[str, Any] | None = None,
    run_config: RunConfigArg = None,
    partition_key: str | None = None,
    selection: CoercibleToSelection = None,
    raise_on_error: bool = True,
    *,
    run_id: str | None = None,
    tags: Mapping[str, str] | None = None,
    instance: DynamicPartitionsStore | None = None,
) -> ExecutionResult:
    """Like ``materialize`` but every IO manager is replaced by an in-memory one."""
    assets = list(assets)
    memory = InMemoryIOManager()
    replaced = {
        key: (memory if isinstance(value, (IOManager, IOManagerDefinition)) else value)
        for key, value in (resources or {}).items()
    }
    io_keys = {DEFAULT_IO_MANAGER_KEY}
    for a in assets:
        if isinstance(a, AssetsDefinition):
            io_keys.update(a.io_manager_keys.values())
    replaced.update({key: memory for key in io_keys})
    return materialize(
        assets,
        replaced,
        run_config,
        partition_key,
        selection,
        raise_on_error,
        run_id=run_id,
        tags=tags,
        instance=instance,
    )
