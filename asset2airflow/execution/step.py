"""Running one execution step: load inputs through IO managers, call user code, store outputs,
evaluate checks. The same function serves ``materialize()`` and the Airflow operator."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from asset2airflow.asset_graph.graph import AssetGraph
from asset2airflow.asset_graph.validation import input_manager_key
from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.checks import AssetChecksDefinition
from asset2airflow.authoring.context import AssetCheckExecutionContext, AssetExecutionContext
from asset2airflow.authoring.io_manager import InputContext, OutputContext
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.authoring.metadata import MetadataValue
from asset2airflow.authoring.partition_scope import AssetPartitions
from asset2airflow.authoring.results import AssetCheckEvaluation, AssetMaterialization
from asset2airflow.errors import (
    Asset2AirflowError,
    PartitionError,
)
from asset2airflow.execution.checks import (
    errored_evaluation,
    evaluate_check_results,
    run_check_definition,
)
from asset2airflow.execution.outputs import normalize_outputs
from asset2airflow.execution.plan import ExecutionStep
from asset2airflow.execution.resources import ResourceScope
from asset2airflow.execution.run_config import ParsedRunConfig
from asset2airflow.execution.step_loop import call_user_code, load_with, node_logger, store_with


@dataclass
class RunEnvironment:
    """What every step of one run shares."""

    graph: AssetGraph
    resources: ResourceScope
    run_config: ParsedRunConfig
    partition_key: str | None = None
    run_id: str = "local"
    keep_values: bool = True
    retry_in_process: bool = True  # False in Airflow, where the task's retries do it
    run_tags: Mapping[str, str] = field(default_factory=dict)


@dataclass
class StepOutcome:
    """What a step did. ``error`` is set when it failed; ``blocked_keys`` hold assets whose
    blocking checks failed (nothing downstream of them may run)."""

    step: ExecutionStep
    materializations: list[AssetMaterialization] = field(default_factory=list)
    check_evaluations: list[AssetCheckEvaluation] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    error: Asset2AirflowError | None = None
    blocked_keys: set[AssetKey] = field(default_factory=set)
    duration: float = 0.0

    @property
    def success(self) -> bool:
        return self.error is None and not self.blocked_keys


def partition_for(env: RunEnvironment, key: AssetKey) -> str | None:
    """The run's partition applies to partitioned assets only."""
    if env.partition_key is None:
        return None
    return env.partition_key if env.graph.spec(key).partitions_def is not None else None


def output_partitions(env: RunEnvironment, key: AssetKey) -> AssetPartitions | None:
    """The partitions of ``key`` this run writes: the run's key, if ``key`` is partitioned."""
    definition = env.graph.spec(key).partitions_def
    if definition is None or env.partition_key is None:
        return None
    return AssetPartitions(definition, (env.partition_key,), f"asset {key.to_user_string()!r}")


def input_partitions(
    env: RunEnvironment,
    definition: AssetsDefinition | AssetChecksDefinition,
    upstream: AssetKey,
) -> AssetPartitions | None:
    """The partitions of ``upstream`` that ``definition`` reads: the partition mapping of the
    edge applied to the run's key (``None`` when ``upstream`` is not partitioned)."""
    upstream_def = env.graph.spec(upstream).partitions_def
    if upstream_def is None:
        return None
    graph = env.graph
    if isinstance(definition, AssetChecksDefinition):
        downstream = definition.asset_key
    else:
        downstream = next(
            (k for k in definition.keys if upstream in graph.upstream[k]),
            next(iter(definition.keys)),
        )
    owner = f"input {upstream.to_user_string()!r} of {definition.node_name!r}"
    if downstream == upstream:  # a check reading its own asset
        keys = [env.partition_key] if env.partition_key is not None else []
        return AssetPartitions(upstream_def, tuple(keys), owner)
    mapping = graph.partition_mapping(downstream, upstream)
    assert mapping is not None
    downstream_def = graph.spec(downstream).partitions_def
    downstream_keys = (
        [env.partition_key] if downstream_def is not None and env.partition_key else None
    )
    try:
        keys = mapping.upstream_keys(downstream_keys, downstream_def, upstream_def)
    except PartitionError as exc:
        raise PartitionError(f"{owner}: {exc}") from exc
    return AssetPartitions(upstream_def, tuple(keys), owner)


def output_context(
    env: RunEnvironment, key: AssetKey, resources: Mapping[str, Any], log: logging.Logger
) -> OutputContext:
    assets_def = env.graph.get(key)
    return OutputContext(
        asset_key=key,
        name=assets_def.output_name_for(key),
        partition_key=partition_for(env, key),
        definition_metadata=assets_def.spec_for(key).metadata,
        resources=resources,
        log=log,
        step_key=assets_def.node_name,
        asset_partitions=output_partitions(env, key),
    )


def load_inputs(
    env: RunEnvironment,
    definition: AssetsDefinition | AssetChecksDefinition,
    resources: Mapping[str, Any],
    log: logging.Logger,
    what: str,
) -> tuple[dict[str, Any], dict[str, AssetPartitions | None]]:
    """Each input's value, loaded by the upstream's IO manager (or the input manager), and
    the upstream partitions it holds."""
    values: dict[str, Any] = {}
    partitions_by_input: dict[str, AssetPartitions | None] = {}
    for asset_input in definition.inputs:
        partitions = input_partitions(env, definition, asset_input.key)
        partitions_by_input[asset_input.param_name] = partitions
        manager_key = input_manager_key(
            definition, asset_input.param_name, env.graph.assets_def_by_key
        )
        manager = env.resources.get(manager_key, what)
        context = InputContext(
            asset_key=asset_input.key,
            name=asset_input.param_name,
            upstream_output=output_context(env, asset_input.key, resources, log),
            partition_key=env.partition_key,
            definition_metadata=asset_input.asset_in.metadata,
            resources=resources,
            log=log,
            asset_partitions=partitions,
        )
        values[asset_input.param_name] = load_with(
            manager,
            manager_key,
            context,
            repr(asset_input.key.to_user_string()),
            definition.node_name,
            what,
        )
    return values, partitions_by_input


def _store_output(
    env: RunEnvironment,
    assets_def: AssetsDefinition,
    key: AssetKey,
    value: Any,
    resources: Mapping[str, Any],
    log: logging.Logger,
    what: str,
) -> dict[str, MetadataValue]:
    manager_key = assets_def.io_manager_keys[assets_def.output_name_for(key)]
    manager = env.resources.get(manager_key, what)
    context = output_context(env, key, resources, log)
    stored = repr(key.to_user_string())
    store_with(manager, manager_key, context, value, stored, assets_def.node_name)
    return context.output_metadata


def _materialize(env: RunEnvironment, step: ExecutionStep, outcome: StepOutcome) -> list[Any]:
    """Run the step's asset function and store its outputs; returns in-asset check results."""
    assets_def = step.assets_def
    assert assets_def is not None and assets_def.compute is not None
    what = f"asset {assets_def.node_name!r}"
    log = node_logger(assets_def.node_name)
    resources = env.resources.get_many(assets_def.required_resource_keys, what)
    inputs, partitions_by_input = load_inputs(env, assets_def, resources, log, what)
    selected_outputs = step.selected_output_names
    first_key = next(iter(step.asset_keys), next(iter(assets_def.keys)))
    config = env.run_config.config_for(assets_def.compute, assets_def.node_name, what)
    context = AssetExecutionContext(
        node_name=assets_def.node_name,
        output_keys={n: s.key for n, s in assets_def.specs_by_output.items()},
        selected_asset_keys=step.asset_keys,
        resources=resources,
        partitions=output_partitions(env, first_key),
        input_partitions=partitions_by_input,
        run_id=env.run_id,
        log=log,
        run_tags=env.run_tags,
        op_config=config.model_dump() if config is not None else None,
    )
    returned = call_user_code(env, assets_def, context, config, resources, inputs, what)
    outputs, check_results = normalize_outputs(returned, assets_def, selected_outputs)
    for produced in outputs:
        key = assets_def.specs_by_output[produced.output_name].key
        metadata = dict(produced.metadata)
        if produced.has_value:
            metadata.update(
                _store_output(env, assets_def, key, produced.value, resources, log, what)
            )
            if env.keep_values:
                outcome.values[produced.output_name] = produced.value
        metadata.update(context.output_metadata(produced.output_name))
        outcome.materializations.append(
            AssetMaterialization(
                key,
                metadata,
                partition_for(env, key),
                code_version=assets_def.spec_for(key).code_version,
                data_version=produced.data_version,
            )
        )
    return check_results


def run_step(env: RunEnvironment, step: ExecutionStep) -> StepOutcome:
    """Run one step. Errors are returned in the outcome, never raised (except interrupts)."""
    outcome = StepOutcome(step)
    started = time.perf_counter()
    try:
        in_asset_results = _materialize(env, step, outcome) if step.assets_def is not None else []
        evaluations = evaluate_check_results(step, in_asset_results)
        outcome.check_evaluations.extend(evaluations)
    except Asset2AirflowError as exc:
        outcome.error = exc
    else:
        for check in step.checks:
            if isinstance(check.definition, AssetChecksDefinition):
                try:
                    outcome.check_evaluations.append(_run_check(env, check.definition))
                except Asset2AirflowError as exc:
                    outcome.check_evaluations.append(errored_evaluation(check.spec, exc))
                    outcome.error = outcome.error or exc
    outcome.blocked_keys = {e.asset_key for e in outcome.check_evaluations if e.blocks_downstream}
    outcome.duration = time.perf_counter() - started
    return outcome


def _run_check(env: RunEnvironment, definition: AssetChecksDefinition) -> AssetCheckEvaluation:
    what = f"asset check {definition.key.to_user_string()!r}"
    log = node_logger(definition.node_name)
    resources = env.resources.get_many(definition.required_resource_keys, what)
    inputs, partitions_by_input = load_inputs(env, definition, resources, log, what)
    context = AssetCheckExecutionContext(
        node_name=definition.node_name,
        output_keys={},
        selected_asset_keys=[],
        resources=resources,
        partitions=output_partitions(env, definition.asset_key),
        input_partitions=partitions_by_input,
        run_id=env.run_id,
        log=log,
        run_tags=env.run_tags,
    )
    config = env.run_config.config_for(definition.compute, definition.node_name, what)
    returned = call_user_code(env, definition, context, config, resources, inputs, what)
    return run_check_definition(definition, returned)
