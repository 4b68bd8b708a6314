"""``job.execute_in_process()``: run an op job in this process on the shared engine.

Steps run in dependency order; a step mapped over a dynamic output runs once per mapping key,
in the order the keys were yielded. Values pass through IO managers (the default filesystem
one stores op outputs under ``.runs/<run id>/``, see ``io.locations``). Run config (merged over
the job's ``config``) and resources are checked before anything runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asset2airflow.asset_graph.op_graph import check_job_resources
from asset2airflow.authoring.config import RunConfig, check_default_config, run_config_dict
from asset2airflow.authoring.dynamic_partitions import (
    DagsterInstance,
    DynamicPartitionsStore,
    dynamic_partitions_store,
)
from asset2airflow.authoring.op_results import ExpectationResult
from asset2airflow.authoring.partition_scope import AssetPartitions
from asset2airflow.errors import (
    Asset2AirflowError,
    ConfigError,
    UserCodeError,
)
from asset2airflow.execution.op_sequence import run_op_steps
from asset2airflow.execution.op_step import (
    OpOutcome,
    OpRunEnvironment,
    op_config,
    step_key,
)
from asset2airflow.execution.partition_key import KeySource, resolve_partition_key
from asset2airflow.execution.resources import ResourceScope
from asset2airflow.execution.run_config import ParsedRunConfig, flatten_ops_config
from asset2airflow.execution.run_events import StepEventType

if TYPE_CHECKING:
    from asset2airflow.authoring.jobs import AssetJobDefinition
    from asset2airflow.authoring.op_jobs import JobDefinition
    from asset2airflow.authoring.partitioned_config import PartitionedConfig


def merge_run_config(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``, dicts merged key by key (a job's config are defaults)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_run_config(merged[key], value)
        else:
            merged[key] = value
    return merged


def _flat(run_config: Mapping[str, Any]) -> dict[str, Any]:
    flat = dict(run_config)
    if "ops" in flat:
        flat["ops"] = flatten_ops_config(dict(flat["ops"] or {}))
    return flat


def job_run_config(
    job: JobDefinition, run_config: Any = None, partition_key: str | None = None
) -> dict[str, Any]:
    """The run config of a run: ``run_config`` over the job's ``config`` (for a job with a
    ``PartitionedConfig``: over the config of ``partition_key``), ops flattened to node paths
    before merging, so a field given at run time replaces only that field."""
    base: Mapping[str, Any] = job.config
    if job.partitioned_config is not None and partition_key is not None:
        base = partition_run_config(job.partitioned_config, partition_key, f"job {job.name!r}")
    return merge_run_config(_flat(base), _flat(run_config_dict(run_config)))


def partition_run_config(
    partitioned: PartitionedConfig, partition_key: str, owner: str
) -> dict[str, Any]:
    """The run config of one partition, errors naming ``owner`` (a job)."""
    try:
        return partitioned.get_run_config_for_partition_key(partition_key)
    except ConfigError as exc:
        raise ConfigError(f"{owner}: {exc}") from exc


def partition_run_tags(
    job: JobDefinition | AssetJobDefinition, partition_key: str | None
) -> dict[str, str]:
    """The run tags of a job's partition from its ``PartitionedConfig`` (``{}`` otherwise)."""
    if job.partitioned_config is None or partition_key is None:
        return {}
    try:
        return job.partitioned_config.get_tags_for_partition_key(partition_key, job.name)
    except ConfigError as exc:
        raise ConfigError(f"job {job.name!r}: {exc}") from exc


def parse_job_config(
    job: JobDefinition, run_config: Any = None, partition_key: str | None = None
) -> ParsedRunConfig:
    names = [s.name for s in job.op_graph.steps]
    try:
        return ParsedRunConfig(job_run_config(job, run_config, partition_key), names)
    except ConfigError as exc:
        raise ConfigError(f"job {job.name!r}: {exc}".replace("assets of this run", "ops")) from exc


def check_job_config(job: JobDefinition) -> None:
    """The job's default ``config`` names its ops and gives values of the right types
    (required fields may still come at run time)."""
    parsed = parse_job_config(job)
    for name, given in parsed.node_config.items():
        config_type = job.op_graph.step(name).op_def.config_type
        if config_type is None or given is None:
            continue
        try:
            check_default_config(config_type, given, f"op {name!r}")
        except ConfigError as exc:
            raise ConfigError(f"job {job.name!r}: {exc}") from exc


def job_partitions(
    job: JobDefinition, partition_key: str | None, source: KeySource = KeySource.ARGUMENT
) -> AssetPartitions | None:
    """The run's partition, admitted and checked against the job's ``partitions_def``."""
    owner = f"job {job.name!r}"
    definition = job.partitions_def
    key = resolve_partition_key(partition_key, definition, owner, source)
    if definition is None or key is None:
        return None
    return AssetPartitions(definition, (key,), owner)


@dataclass(frozen=True)
class NodeEvent:
    """One event of a run, as Dagster's ``DagsterEvent`` of a step (``event_type``:
    ``STEP_START``, ``STEP_OUTPUT``, ``STEP_SUCCESS``, ``STEP_FAILURE``, ``STEP_SKIPPED``,
    ``STEP_EXPECTATION_RESULT``)."""

    event_type: StepEventType
    node_name: str
    step_key: str
    message: str = ""
    output_name: str | None = None
    mapping_key: str | None = None
    expectation_result: ExpectationResult | None = None

    @property
    def event_type_value(self) -> str:
        """Dagster's string for ``event_type`` (e.g. ``"STEP_FAILURE"``)."""
        return self.event_type.value

    @property
    def is_failure(self) -> bool:
        return self.event_type is StepEventType.STEP_FAILURE


def _events(outcome: OpOutcome) -> list[NodeEvent]:
    name, key = outcome.step.name, outcome.step_key
    if outcome.skipped is not None:
        return [NodeEvent(StepEventType.STEP_SKIPPED, name, key, outcome.skipped)]
    events = [NodeEvent(StepEventType.STEP_START, name, key)]
    events += [
        NodeEvent(
            StepEventType.STEP_EXPECTATION_RESULT, name, key, e.label or "", expectation_result=e
        )
        for e in outcome.expectations
    ]
    for output, keys in outcome.produced.items():
        for mapping_key in keys if keys is not None else [outcome.mapping_key]:
            events.append(NodeEvent(StepEventType.STEP_OUTPUT, name, key, "", output, mapping_key))
    message = str(outcome.error) if outcome.error is not None else ""
    events.append(NodeEvent(StepEventType.ended(outcome.error is None), name, key, message))
    return events


class JobExecutionResult:
    """What ``execute_in_process`` returns (Dagster's ``ExecuteInProcessResult`` accessors)."""

    def __init__(
        self,
        job: JobDefinition,
        run_id: str,
        outcomes: list[OpOutcome],
        run_errors: Sequence[Asset2AirflowError] = (),
    ) -> None:
        self.job_def = job
        self.run_id = run_id
        self.step_outcomes = outcomes
        self.run_errors = list(run_errors)
        """Errors of the run itself, not of an op (a resource's teardown)."""
        self.all_node_events: list[NodeEvent] = [e for o in outcomes for e in _events(o)]

    @property
    def success(self) -> bool:
        return not self.run_errors and all(o.error is None for o in self.step_outcomes)

    @property
    def errors(self) -> list[Asset2AirflowError]:
        return [o.error for o in self.step_outcomes if o.error is not None] + self.run_errors

    def output_for_node(self, node_str: str, output_name: str = "result") -> Any:
        """The value of ``node_str``'s output (``outer.inner`` inside graphs); for a dynamic
        output, or an op mapped over one, ``{mapping_key: value}`` in the order yielded."""
        ran = [o for o in self.step_outcomes if o.step.name == node_str]
        names = [s.name for s in self.job_def.op_graph.steps]
        if node_str not in names:
            raise KeyError(f"job {self.job_def.name!r} has no op {node_str!r}; its ops: {names}")
        step = self.job_def.op_graph.step(node_str)
        if output_name not in step.op_def.outs:
            raise KeyError(
                f"op {node_str!r} has no output {output_name!r}; outputs: {list(step.op_def.outs)}"
            )
        if step.mapped_over is not None:
            return {o.mapping_key: o.values[output_name] for o in ran if output_name in o.values}
        if not ran:
            raise KeyError(f"op {node_str!r} did not run in this run (an upstream op failed)")
        if output_name not in ran[0].values:
            raise KeyError(
                f"op {node_str!r} produced no value for output {output_name!r} in this run "
                f"({'skipped: ' + ran[0].skipped if ran[0].skipped else 'not produced'})"
            )
        return ran[0].values[output_name]

    def output_value(self, output_name: str = "result") -> Any:
        """The value of the job's graph output ``output_name``."""
        ref = self.job_def.op_graph.outputs.get(output_name)
        if ref is None:
            raise KeyError(f"job {self.job_def.name!r} has no graph output {output_name!r}")
        return self.output_for_node(ref.step, ref.output)

    @property
    def all_events(self) -> list[NodeEvent]:
        """The run's step events (Dagster's list also holds run-level events; not here)."""
        return list(self.all_node_events)

    def events_for_node(self, node_name: str) -> list[NodeEvent]:
        return [e for e in self.all_node_events if e.node_name == node_name]

    def filter_events(self, event_filter: Callable[[NodeEvent], bool]) -> list[NodeEvent]:
        return [e for e in self.all_node_events if event_filter(e)]

    def expectation_results_for_node(self, node_str: str) -> list[ExpectationResult]:
        return [e for o in self.step_outcomes if o.step.name == node_str for e in o.expectations]

    def __repr__(self) -> str:
        return f"<JobExecutionResult {self.job_def.name} success={self.success}>"


def execute_job(
    job: JobDefinition,
    *,
    run_config: RunConfig | Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    run_id: str | None = None,
    tags: Mapping[str, str] | None = None,
    instance: DynamicPartitionsStore | None = None,
) -> JobExecutionResult:
    """See ``JobDefinition.execute_in_process``."""
    graph = job.op_graph
    provided = {**job.resource_defs, **dict(resources or {})}
    check_job_resources(job, provided)
    run_id = run_id or str(uuid.uuid4())
    with dynamic_partitions_store(instance or DagsterInstance.ephemeral()):
        partitions = job_partitions(job, partition_key)
        # A partitioned config is evaluated for the run's (checked) partition only.
        parsed = parse_job_config(job, run_config, partition_key)
        try:
            for step in graph.steps:
                op_config(parsed, step)  # every op's config is valid before anything runs
        except ConfigError as exc:
            where = f", partition {partition_key!r}" if job.partitioned_config else ""
            raise ConfigError(f"job {job.name!r}{where}: {exc}") from exc
        partition_tags = partition_run_tags(job, partition_key)
        scope = ResourceScope(provided, run_id, parsed.resource_config)
        env = OpRunEnvironment(
            graph,
            scope,
            parsed,
            run_id,
            job.name,
            partitions,
            run_tags={**job.tags, **partition_tags, **dict(tags or {})},
        )
        users_own: BaseException | None = None
        try:
            outcomes = run_op_steps(env, stop_on_error=raise_on_error)
        except UserCodeError as error:
            scope.teardown()
            users_own = error.users_own()
            if users_own is None:
                raise
        except BaseException:
            scope.teardown()
            raise
        if users_own is not None:  # raised outside the handler: the user's exception as it was
            raise users_own
        teardown_errors = scope.teardown()
    if raise_on_error and teardown_errors:
        raise teardown_errors[0]
    return JobExecutionResult(job, run_id, outcomes, teardown_errors)


__all__ = [
    "JobExecutionResult",
    "NodeEvent",
    "check_job_config",
    "execute_job",
    "flatten_ops_config",
    "job_run_config",
    "merge_run_config",
    "partition_run_config",
    "partition_run_tags",
    "step_key",
]
