"""Running one op step (for one mapping key, when mapped): check its inputs were produced, load
them through the IO managers of the outputs they come from, call the op, store its outputs. The
same function serves ``execute_in_process`` and the Airflow operator; they differ only in how
they know what upstream steps produced (``ProducedIndex``: memory locally, XCom in Airflow).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from asset2airflow.asset_graph.op_graph import OpGraph, OpStep, Source, StepOutput
from asset2airflow.authoring.context import OpExecutionContext
from asset2airflow.authoring.dagster_types import type_check
from asset2airflow.authoring.graph_composition import (
    Collected,
    Default,
    Element,
    FanIn,
    GraphInput,
    Plain,
)
from asset2airflow.authoring.io_manager import InputContext, OutputContext
from asset2airflow.authoring.op_results import ExpectationResult
from asset2airflow.authoring.partition_scope import AssetPartitions
from asset2airflow.errors import (
    Asset2AirflowError,
    TypeCheckError,
)
from asset2airflow.execution.op_outputs import normalize_op_outputs
from asset2airflow.execution.run_config import ParsedRunConfig, build_config_of_type
from asset2airflow.execution.step_loop import call_user_code, load_with, node_logger, store_with

Produced = Mapping[str, list[str] | None]
"""What one step instance produced: output name -> ``None`` (a plain output) or the mapping
keys of a dynamic output, in the order yielded."""


class ResourceProvider(Protocol):
    """Where steps get resources: a run's ``ResourceScope``, or a graph asset's own."""

    def get(self, key: str, needed_by: str) -> Any: ...

    def get_many(self, keys: frozenset[str] | set[str], needed_by: str) -> dict[str, Any]: ...


class ProducedIndex(Protocol):
    def produced(self, step: str, mapping_key: str | None) -> Produced | None:
        """What ``step`` (its instance for ``mapping_key``) produced; ``None`` when it did not
        succeed in this run."""


@dataclass
class OpRunEnvironment:
    """What every op step of one run shares."""

    graph: OpGraph
    resources: ResourceProvider
    run_config: ParsedRunConfig
    run_id: str
    job_name: str
    partitions: AssetPartitions | None = None
    retry_in_process: bool = True  # False in Airflow, where the task's retries do it
    keep_values: bool = True
    run_tags: Mapping[str, str] = field(default_factory=dict)
    external_values: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class OpOutcome:
    """What one step instance did; ``skipped`` says why it did not run (an input it needs was
    not produced), ``error`` why it failed."""

    step: OpStep
    mapping_key: str | None = None
    produced: dict[str, list[str] | None] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    expectations: list[ExpectationResult] = field(default_factory=list)
    error: Asset2AirflowError | None = None
    skipped: str | None = None
    duration: float = 0.0

    @property
    def success(self) -> bool:
        return self.error is None and self.skipped is None

    @property
    def step_key(self) -> str:
        return step_key(self.step.name, self.mapping_key)


def step_key(name: str, mapping_key: str | None) -> str:
    """Dagster's step key: ``name`` or ``name[mapping_key]``."""
    return name if mapping_key is None else f"{name}[{mapping_key}]"


def collected_keys(index: ProducedIndex, source: Collected[StepOutput]) -> list[str] | None:
    """The mapping keys a collected input gathers, in the order the root yielded them;
    ``None`` when the root did not produce its dynamic output."""
    root = index.produced(source.root.step, None)
    keys = root.get(source.root.output) if root is not None else None
    if keys is None:
        return None
    if source.ref == source.root:
        return list(keys)
    return [k for k in keys if source.ref.output in (index.produced(source.ref.step, k) or {})]


def _available(index: ProducedIndex, ref: StepOutput, mapping_key: str | None) -> bool:
    produced = index.produced(ref.step, mapping_key)
    if produced is None and mapping_key is not None:  # the root dynamic output itself
        root = index.produced(ref.step, None)
        return root is not None and mapping_key in (root.get(ref.output) or [])
    return produced is not None and ref.output in produced


def missing_inputs(step: OpStep, mapping_key: str | None, index: ProducedIndex) -> list[str]:
    """Inputs whose upstream did not produce what they read (the step is then skipped)."""
    missing = []
    for step_input in step.inputs:
        source = step_input.source
        if isinstance(source, Plain):
            ok = _available(index, source.ref, None)
        elif isinstance(source, Element):
            ok = _available(index, source.ref, mapping_key)
        elif isinstance(source, Collected):
            ok = collected_keys(index, source) is not None
        elif isinstance(source, FanIn):
            ok = any(_available(index, r, None) for r in source.refs)
        else:
            ok = True
        if not ok:
            missing.append(step_input.name)
    return missing


class _Loader:
    def __init__(
        self, env: OpRunEnvironment, step: OpStep, resources: Mapping[str, Any], what: str
    ) -> None:
        self.env, self.step, self.resources, self.what = env, step, resources, what
        self.log = node_logger(step.name)

    def load(self, input_name: str, ref: StepOutput, mapping_key: str | None) -> Any:
        producer = self.env.graph.step(ref.step)
        out = producer.op_def.outs[ref.output]
        manager = self.env.resources.get(out.io_manager_key, self.what)
        upstream = OutputContext(
            asset_key=None,
            name=ref.output,
            definition_metadata=out.metadata,
            resources=self.resources,
            log=self.log,
            step_key=ref.step,
            run_id=self.env.run_id,
            mapping_key=mapping_key,
        )
        context = InputContext(
            asset_key=None,
            name=input_name,
            upstream_output=upstream,
            definition_metadata=self.step.op_def.ins[input_name].metadata,
            resources=self.resources,
            log=self.log,
        )
        loaded = str(ref)
        return load_with(manager, out.io_manager_key, context, loaded, self.step.name, self.what)

    def value(
        self, input_name: str, source: Source, mapping_key: str | None, index: ProducedIndex
    ) -> Any:
        if isinstance(source, Plain):
            return self.load(input_name, source.ref, None)
        if isinstance(source, Element):
            return self.load(input_name, source.ref, mapping_key)
        if isinstance(source, Collected):
            keys = collected_keys(index, source) or []
            return [self.load(input_name, source.ref, k) for k in keys]
        if isinstance(source, FanIn):
            return [
                self.load(input_name, r, None) for r in source.refs if _available(index, r, None)
            ]
        if isinstance(source, Default):
            return source.value
        assert isinstance(source, GraphInput)
        return self.env.external_values[source.name]


def op_config(run_config: ParsedRunConfig, step: OpStep) -> Any:
    """The step's validated config (a ``Config`` instance, or ``None``)."""
    return build_config_of_type(
        step.op_def.config_type, run_config.node_config.get(step.name), f"op {step.name!r}"
    )


def _store(
    env: OpRunEnvironment,
    step: OpStep,
    name: str,
    value: Any,
    mapping_key: str | None,
    resources: Mapping[str, Any],
    what: str,
) -> None:
    out = step.op_def.outs[name]
    if out.is_nothing:
        return
    manager = env.resources.get(out.io_manager_key, what)
    context = OutputContext(
        asset_key=None,
        name=name,
        definition_metadata=out.metadata,
        resources=resources,
        log=node_logger(step.name),
        step_key=step.name,
        run_id=env.run_id,
        mapping_key=mapping_key,
    )
    stored = f"output {name!r} of {what}"
    store_with(manager, out.io_manager_key, context, value, stored, step.name)


def _execute(env: OpRunEnvironment, outcome: OpOutcome, index: ProducedIndex, what: str) -> None:
    step, mapping_key, op_def = outcome.step, outcome.mapping_key, outcome.step.op_def
    resources = env.resources.get_many(op_def.required_resource_keys, what)
    loader = _Loader(env, step, resources, what)
    inputs: dict[str, Any] = {}
    for step_input in step.inputs:
        if step_input.is_nothing or step_input.source is None:
            continue
        value = loader.value(step_input.name, step_input.source, mapping_key, index)
        dagster_type = op_def.ins[step_input.name].dagster_type
        if not type_check(dagster_type, value):
            raise TypeCheckError(
                f"{what}: input {step_input.name!r} got a {type(value).__name__}, but it is "
                f"declared In({getattr(dagster_type, '__name__', dagster_type)})"
            )
        inputs[step_input.name] = value
    config = op_config(env.run_config, step)
    context = OpExecutionContext(
        node_name=step.name,
        resources=resources,
        partitions=env.partitions,
        op_config=config.model_dump() if config is not None else None,
        run_id=env.run_id,
        log=loader.log,
        run_tags=env.run_tags,
        mapping_key=mapping_key,
        job_name=env.job_name,
        op_def=op_def,
    )
    typed = config if op_def.compute.config_param is not None else None
    returned = call_user_code(env, step, context, typed, resources, inputs, what)
    outputs = normalize_op_outputs(returned, step, what)
    outcome.expectations.extend(outputs.expectations)
    for name, value in outputs.plain.items():
        _store(env, step, name, value, mapping_key, resources, what)
        outcome.produced[name] = None
        if env.keep_values and not op_def.outs[name].is_nothing:
            outcome.values[name] = value
    for name, items in outputs.dynamic.items():
        for key, value in items:
            _store(env, step, name, value, key, resources, what)
        outcome.produced[name] = [key for key, _ in items]
        if env.keep_values:
            outcome.values[name] = dict(items)


def skip_reason(step: OpStep, mapping_key: str | None, index: ProducedIndex) -> str | None:
    """Why the step instance cannot run: an input it needs was not produced (``None``: it
    runs). A mapped step without a mapping key is one whose dynamic input was not produced."""
    if step.mapped_over is not None and mapping_key is None:
        return "its dynamic input was not produced"
    missing = missing_inputs(step, mapping_key, index)
    if missing:
        return (
            f"inputs {missing} were not produced upstream (an optional output was not yielded, "
            "or an upstream op was skipped)"
        )
    return None


def run_op_step(
    env: OpRunEnvironment, step: OpStep, mapping_key: str | None, index: ProducedIndex
) -> OpOutcome:
    """Run one step instance, or skip it (``skip_reason``). Errors are returned in the
    outcome, never raised."""
    reason = skip_reason(step, mapping_key, index)
    if reason is not None:
        return OpOutcome(step, mapping_key, skipped=reason)
    return execute_op_step(env, step, mapping_key, index)


def execute_op_step(
    env: OpRunEnvironment, step: OpStep, mapping_key: str | None, index: ProducedIndex
) -> OpOutcome:
    """Run one step instance whose inputs were produced. Errors are returned in the outcome,
    never raised."""
    outcome = OpOutcome(step, mapping_key)
    what = f"op {step_key(step.name, mapping_key)!r} of job {env.job_name!r}"
    started = time.perf_counter()
    try:
        _execute(env, outcome, index, what)
    except Asset2AirflowError as exc:
        outcome.error = exc
    outcome.duration = time.perf_counter() - started
    level = logging.INFO if outcome.error is None else logging.ERROR
    node_logger(step.name).log(level, "%s %s", what, "succeeded" if outcome.success else "failed")
    return outcome
