"""``JobDefinition``, what ``@job`` and ``GraphDefinition.to_job`` make: a graph of ops bound to
resources, default config, tags and (optionally) partitions. In Airflow each job is one DAG whose
id is the job name."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from asset2airflow.authoring import seams
from asset2airflow.authoring.config import RunConfig
from asset2airflow.authoring.jobs import _job_tags
from asset2airflow.authoring.names import check_name
from asset2airflow.authoring.ops import OpDefinition
from asset2airflow.authoring.partitioned_config import PartitionedConfig, job_config_fields
from asset2airflow.authoring.partitions import PartitionsDefinition
from asset2airflow.authoring.policy import RetryPolicy
from asset2airflow.errors import DefinitionError

if TYPE_CHECKING:
    from asset2airflow.asset_graph.op_graph import OpGraph
    from asset2airflow.authoring.graphs import GraphDefinition
    from asset2airflow.execution.job_runner import JobExecutionResult

# Dagster job arguments with no translation yet: refused, with what to do instead.
_NOT_BUILT = {
    "metadata": "job metadata is not shown in Airflow yet; put the text in description=.",
    "logger_defs": "ops log through context.log, which goes to the Airflow task log.",
    "executor_def": "Airflow's executor runs the tasks; choose it in the Airflow configuration.",
    "hooks": "success/failure hooks are not built yet; use Airflow callbacks on the DAG.",
    "op_selection": "run a subset by building another job from a smaller graph.",
    "asset_layer": "use @graph_asset / @graph_multi_asset to make assets from graphs.",
    "input_values": "give the ops In(default_value=...) or read values from config.",
    "run_tags": "use tags= (they become the DAG's tags and every run's tags).",
    "version_strategy": "op code versions are not tracked.",
    "owners": "give the assets owners=, or set the DAG owner with airflow_dag(...) from "
    "asset2airflow.migrate.",
}


@dataclass(frozen=True, eq=False)
class JobDefinition:
    """What ``@job`` and ``to_job`` return: run it with ``execute_in_process`` or list it in
    ``Definitions(jobs=[...])`` to get an Airflow DAG named ``name``."""

    name: str
    graph_def: GraphDefinition
    resource_defs: Mapping[str, Any] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)
    """Default run config (``{"ops": {...}, "resources": {...}}``); run config overrides it."""
    partitioned_config: PartitionedConfig | None = None
    """Run config per partition (``@job(config=PartitionedConfig)``): run config overrides it."""
    tags: Mapping[str, str] = field(default_factory=dict)
    description: str | None = None
    partitions_def: PartitionsDefinition | None = None
    op_retry_policy: RetryPolicy | None = None

    @property
    def graph(self) -> GraphDefinition:
        return self.graph_def

    @property
    def location(self) -> str:
        return self.graph_def.location

    @cached_property
    def op_graph(self) -> OpGraph:
        """The flattened, validated steps (raises naming the job, op and file:line)."""
        return seams.build_op_graph(self.graph_def, f"job {self.name!r}", self.op_retry_policy)

    @property
    def required_resource_keys(self) -> frozenset[str]:
        return frozenset(k for o in _ops_of(self.graph_def) for k in o.required_resource_keys)

    def execute_in_process(
        self,
        run_config: RunConfig | Mapping[str, Any] | None = None,
        instance: Any = None,
        partition_key: str | None = None,
        raise_on_error: bool = True,
        op_selection: Any = None,
        run_id: str | None = None,
        input_values: Any = None,
        tags: Mapping[str, str] | None = None,
        resources: Mapping[str, Any] | None = None,
    ) -> JobExecutionResult:
        """Run every op in this process, in dependency order, through IO managers.

        ``resources`` are added to (and override) the job's ``resource_defs``; ``run_config``
        is merged over the job's ``config``; ``partition_key`` is required exactly when the job
        has a ``partitions_def``. With ``raise_on_error`` the first failure is raised.
        """
        for argument, value in (("op_selection", op_selection), ("input_values", input_values)):
            if value is not None:
                raise DefinitionError(
                    f"job {self.name!r}: execute_in_process({argument}=...) is not built yet; "
                    f"{_NOT_BUILT[argument]}"
                )
        return seams.execute_job(
            self,
            run_config=run_config,
            resources=resources,
            partition_key=partition_key,
            raise_on_error=raise_on_error,
            run_id=run_id,
            tags=tags,
            instance=instance,
        )

    def __repr__(self) -> str:
        return f"<JobDefinition {self.name}>"


def _ops_of(graph_def: GraphDefinition) -> Iterator[OpDefinition]:
    """Every op of ``graph_def``, nested graphs included."""
    for node in graph_def.nodes.values():
        if isinstance(node.definition, OpDefinition):
            yield node.definition
        else:
            yield from _ops_of(node.definition)


def make_job(
    graph_def: GraphDefinition,
    *,
    name: str,
    description: str | None,
    resource_defs: Mapping[str, Any] | None,
    config: Any,
    tags: Mapping[str, Any] | None,
    partitions_def: PartitionsDefinition | None,
    op_retry_policy: RetryPolicy | None,
    not_built: Mapping[str, Any],
    caller: str,
) -> JobDefinition:
    """Build and validate a job (its graph flattened, its default config checked)."""
    for argument, value in not_built.items():
        if argument not in _NOT_BUILT:
            raise DefinitionError(f"{caller}() got an unexpected argument {argument!r}")
        if value is not None:
            raise DefinitionError(
                f"{caller}({argument}=...) is not built yet: {_NOT_BUILT[argument]}"
            )
    job_name = check_name(name, "job", graph_def.location)
    for key, value in (resource_defs or {}).items():
        if isinstance(value, type | str):
            raise DefinitionError(
                f"job {job_name!r}: resource {key!r} is {value!r}; pass a resource instance"
            )
    job = JobDefinition(
        name=job_name,
        graph_def=graph_def,
        resource_defs=dict(resource_defs or {}),
        tags={**graph_def.tags, **_job_tags(job_name, tags)},  # the graph's tags are defaults
        description=description,
        op_retry_policy=op_retry_policy,
        **job_config_fields(f"job {job_name!r}", config, partitions_def),
    )
    job.op_graph  # noqa: B018 - validates the graph now, where the job is declared
    seams.check_job_config(job)
    return job
