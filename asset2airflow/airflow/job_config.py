"""A run's config inside an Airflow task, for asset DAGs and op DAGs alike.

The DAG params hold each config field (defaults from the job's ``config``). For a job whose
config is a ``PartitionedConfig`` the params are nullable and empty by default: the task
computes the run's partition config (Dagster's order: explicit run config over the partition's
config over the ``Config`` class defaults), so a param set in the trigger form or conf wins
over the partition's value and an empty one leaves it to the partition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from asset2airflow.airflow.params import ParamPlan, run_config_from_params
from asset2airflow.authoring.jobs import AssetJobDefinition
from asset2airflow.errors import PartitionError
from asset2airflow.execution.job_runner import (
    merge_run_config,
    partition_run_config,
    partition_run_tags,
)
from asset2airflow.execution.run_config import flatten_ops_config

if TYPE_CHECKING:
    from asset2airflow.airflow.compiled import CompiledDag
    from asset2airflow.authoring.partitioned_config import PartitionedConfig


def task_run_config(
    params: Mapping[str, Any],
    plans: Sequence[ParamPlan],
    partitioned: PartitionedConfig | None,
    partition_key: str | None,
    owner: str,
    *,
    job_config: Mapping[str, Any] | None = None,
    node_paths: bool = False,
) -> dict[str, Any]:
    """The run config of a task of job ``owner``: the run's params over the config of its
    partition (when the job has a ``PartitionedConfig``) over the job's resource config.
    The params hold only the ops' config; the ``resources`` section of the job's ``config``
    has no param, so it is taken from ``job_config`` here (else it would be dropped).
    ``node_paths``: op jobs, whose nested graph config (``{"outer": {"ops": {"inner": ...}}}``)
    is flattened first."""
    from_params = run_config_from_params(params, plans)
    resources = dict((job_config or {}).get("resources") or {})
    job_defaults: dict[str, Any] = {"resources": resources} if resources else {}
    if partitioned is None:
        return merge_run_config(job_defaults, from_params)
    if partition_key is None:
        raise PartitionError(
            f"{owner} computes its config from the run's partition, but the run has no "
            "partition key; trigger it with one (the Partition Key field, or partition_key)."
        )
    base = partition_run_config(partitioned, partition_key, owner)
    if node_paths and "ops" in base:
        base["ops"] = flatten_ops_config(dict(base["ops"] or {}))
    return merge_run_config(merge_run_config(job_defaults, base), from_params)


def _asset_job(compiled: CompiledDag) -> AssetJobDefinition | None:
    """The asset job whose DAG this is (found by the plan's ``job_name``), if any."""
    name = compiled.plan.job_name
    job = compiled.defs.get_job_def(name) if name is not None else None
    return job if isinstance(job, AssetJobDefinition) else None


def asset_task_run_config(
    compiled: CompiledDag, params: Mapping[str, Any], partition_key: str | None
) -> dict[str, Any]:
    """``task_run_config`` for a task of an asset DAG."""
    job = _asset_job(compiled)
    partitioned = job.partitioned_config if job is not None else None
    owner = f"job {compiled.plan.job_name!r}"
    return task_run_config(
        params,
        compiled.plan.params,
        partitioned,
        partition_key,
        owner,
        job_config=job.config if job is not None else None,
    )


def asset_task_run_tags(compiled: CompiledDag, partition_key: str | None) -> dict[str, str]:
    """The run tags the asset job's ``PartitionedConfig`` gives the run's partition."""
    job = _asset_job(compiled)
    return partition_run_tags(job, partition_key) if job is not None else {}
