"""``defs.get_job_def(name).execute_in_process()`` for an asset job (``define_asset_job``): the
job's assets materialized as ``materialize()`` does, with the job's config (or its partition's
config) under the given run config."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from asset2airflow.authoring.config import run_config_dict
from asset2airflow.authoring.dynamic_partitions import (
    DagsterInstance,
    dynamic_partitions_store,
)
from asset2airflow.errors import DefinitionError, UserCodeError
from asset2airflow.execution.job_runner import (
    merge_run_config,
    partition_run_config,
    partition_run_tags,
)
from asset2airflow.execution.partition_key import resolve_partition_key

if TYPE_CHECKING:
    from asset2airflow.authoring.jobs import AssetJobDefinition
    from asset2airflow.execution.result import ExecutionResult


def asset_job_run_config(
    job: AssetJobDefinition, run_config: Any, partition_key: str | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """(run config, partition run tags): ``run_config`` over the job's config, or over the
    config of ``partition_key`` for a job with a ``PartitionedConfig``."""
    owner = f"job {job.name!r}"
    base: Mapping[str, Any] = job.config
    tags: dict[str, str] = {}
    partitioned = job.partitioned_config
    if partitioned is not None:
        partition_key = resolve_partition_key(partition_key, partitioned.partitions_def, owner)
        base = partition_run_config(partitioned, partition_key, owner)
        tags = partition_run_tags(job, partition_key)
    return merge_run_config(base, run_config_dict(run_config)), tags


def execute_asset_job(
    job: AssetJobDefinition,
    *,
    run_config: Any = None,
    instance: Any = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
    resources: Mapping[str, Any] | None = None,
) -> ExecutionResult:
    """See ``AssetJobDefinition.execute_in_process``."""
    from asset2airflow.asset_graph.definitions import Definitions
    from asset2airflow.execution.runner import execute_definitions

    defs = job.definitions
    if not isinstance(defs, Definitions):
        raise DefinitionError(
            f"asset job {job.name!r} cannot run on its own: it runs the assets of the "
            f"Definitions it is listed in. Use defs.get_job_def({job.name!r})"
            ".execute_in_process(...) (or materialize(assets, selection=...))."
        )
    if resources:
        defs = Definitions(
            assets=defs.assets,
            asset_checks=defs.asset_checks,
            resources={**defs.resources, **dict(resources)},
        )
    store = instance or DagsterInstance.ephemeral()
    with dynamic_partitions_store(store):
        merged, partition_tags = asset_job_run_config(job, run_config, partition_key)
    try:
        return execute_definitions(
            defs,
            selection=job.selection,
            run_config=merged,
            partition_key=partition_key,
            raise_on_error=raise_on_error,
            tags={**job.tags, **partition_tags, **dict(tags or {})},
            instance=store,
        )
    except UserCodeError as error:
        users_own = error.users_own()
        if users_own is None:
            raise
    raise users_own  # outside the handler: the user's exception as Dagster raises it
