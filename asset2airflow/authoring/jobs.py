"""``define_asset_job``: a named selection of assets, run together (in Airflow: one DAG)."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from asset2airflow.authoring import seams
from asset2airflow.authoring.airflow_options import AirflowDagOptions
from asset2airflow.authoring.names import check_name
from asset2airflow.authoring.partitioned_config import PartitionedConfig, job_config_fields
from asset2airflow.authoring.partitions import PartitionsDefinition
from asset2airflow.authoring.selection import AssetSelection, coerce_selection
from asset2airflow.errors import DefinitionError, SelectionError


@dataclass(frozen=True)
class AssetJobDefinition:
    """What ``define_asset_job`` returns; ``name`` becomes the Airflow DAG id, ``description``
    the DAG's description and ``tags`` (``key:value``, or ``key`` for an empty value) its tags."""

    name: str
    selection: AssetSelection
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    airflow: AirflowDagOptions | None = None
    """The DAG id and ``DAG(...)`` arguments pinned with ``airflow_dag``."""
    execution: ExecutionMode | None = None
    """How this job's DAG runs its assets; ``None``: as ``build_dags`` says."""
    config: Mapping[str, Any] = field(default_factory=dict)
    """Default run config: the defaults of the DAG's config params (run config overrides it)."""
    partitioned_config: PartitionedConfig | None = None
    """Run config per partition, computed when a run for a partition starts."""
    partitions_def: PartitionsDefinition | None = None
    """``partitions_def=`` or the ``PartitionedConfig``'s; the assets' must equal it."""
    definitions: Any = field(default=None, compare=False, repr=False)
    """The ``Definitions`` this job was obtained from (``get_job_def``): what it runs in."""

    def execute_in_process(
        self,
        run_config: Any = None,
        instance: Any = None,
        partition_key: str | None = None,
        raise_on_error: bool = True,
        tags: Mapping[str, str] | None = None,
        resources: Mapping[str, Any] | None = None,
    ) -> Any:
        """Materialize the job's assets in this process (as ``materialize()``); only for a
        job obtained with ``defs.get_job_def(name)``. ``run_config`` is merged over the job's
        config (or its partition's config)."""
        return seams.execute_asset_job(
            self,
            run_config=run_config,
            instance=instance,
            partition_key=partition_key,
            raise_on_error=raise_on_error,
            tags=tags,
            resources=resources,
        )


class ExecutionMode(enum.Enum):
    """How a DAG runs its assets: a task per asset (per-asset retries and status in Airflow) or
    one task for the whole DAG (fast for many small assets). Users may pass the value string."""

    PER_ASSET = "per_asset"
    FUSED = "fused"


EXECUTION_CHOICES = tuple(m.value for m in ExecutionMode)


def check_execution(execution: object, where: str) -> ExecutionMode:
    """``execution`` (a mode or its string) as an ``ExecutionMode``, else an error saying which
    modes exist."""
    if isinstance(execution, ExecutionMode):
        return execution
    if execution not in EXECUTION_CHOICES:
        raise DefinitionError(
            f"{where}: execution={execution!r} is not one of {EXECUTION_CHOICES}: 'per_asset' "
            "runs a task per asset (per-asset retries and status in Airflow), 'fused' one task "
            "for the whole DAG (fast for many small assets)."
        )
    return ExecutionMode(execution)


# Arguments Dagster accepts that have no Airflow translation yet: refused rather than stored and
# ignored. The value says what to do instead.
_NOT_BUILT = {
    "run_tags": (
        "tags for every run have no Airflow translation yet. Use tags= (they become the DAG's "
        "tags), or pass tags when launching a run."
    ),
    "metadata": "job metadata is not shown in Airflow yet; put the text in description=.",
    "executor_def": "Airflow's executor runs the tasks; choose it in the Airflow configuration.",
    "hooks": "success/failure hooks are not built yet; use Airflow callbacks on the DAG.",
    "op_retry_policy": "give the assets retry_policy=RetryPolicy(...) instead.",
}


def define_asset_job(
    name: str,
    selection: Any = None,
    config: Any = None,
    description: str | None = None,
    tags: Mapping[str, Any] | None = None,
    run_tags: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    partitions_def: Any = None,
    executor_def: Any = None,
    hooks: Any = None,
    op_retry_policy: Any = None,
    *,
    execution: ExecutionMode | str | None = None,
) -> AssetJobDefinition:
    """Group assets into a job (default: all assets). Each job is compiled to one DAG.

    ``selection`` is an ``AssetSelection``, a selection string (``"group:sales and not
    tag:pii"``, ``"*report"``), or a list of key strings, keys and definitions. ``tags`` values
    that are not strings are stored as JSON, as in Dagster. The other Dagster arguments
    (``run_tags``, ``metadata``, ``executor_def``, ``hooks``, ``op_retry_policy``) are not
    built yet and are refused rather than ignored. ``config`` (a dict, ``RunConfig`` or
    ``PartitionedConfig``) and ``partitions_def`` are checked against the assets when the
    ``Definitions`` is built.
    """
    given = {
        "run_tags": run_tags,
        "metadata": metadata,
        "executor_def": executor_def,
        "hooks": hooks,
        "op_retry_policy": op_retry_policy,
    }
    for argument, value in given.items():
        if value is not None:
            raise DefinitionError(
                f"define_asset_job({name!r}, {argument}=...) is not built yet: "
                f"{_NOT_BUILT[argument]}"
            )
    if description is not None and not isinstance(description, str):
        raise DefinitionError(
            f"define_asset_job({name!r}, description={description!r}): description is a string."
        )
    job_name = check_name(name, "job")
    try:
        resolved = coerce_selection(selection)
    except SelectionError as exc:
        raise SelectionError(f"define_asset_job({name!r}): {exc}") from exc
    if resolved.selects_checks_by_themselves:
        raise DefinitionError(
            f"define_asset_job({name!r}): the selection {str(resolved)!r} picks asset checks on "
            "their own (all_asset_checks / checks_for_assets / checks / without_checks), which "
            "the Airflow DAGs do not follow yet: a job's DAG runs every check of its assets. "
            "Select assets only; to run checks apart, use materialize(selection=...)."
        )
    return AssetJobDefinition(
        execution=(
            check_execution(execution, f"define_asset_job({name!r})")
            if execution is not None
            else None
        ),
        name=job_name,
        selection=resolved,
        description=description,
        tags=_job_tags(job_name, tags),
        **job_config_fields(f"define_asset_job({job_name!r})", config, partitions_def),
    )


def _job_tags(name: str, tags: Mapping[str, Any] | None) -> dict[str, str]:
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        raise DefinitionError(f"define_asset_job({name!r}, tags={tags!r}): tags is a dict")
    result: dict[str, str] = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not key:
            raise DefinitionError(
                f"define_asset_job({name!r}): tag key {key!r} is not a non-empty string"
            )
        if isinstance(value, str):
            result[key] = value
            continue
        try:
            encoded = json.dumps(value, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise DefinitionError(
                f"define_asset_job({name!r}): tag {key!r} has the value {value!r}, which is "
                "neither a string nor JSON-serializable; pass a string."
            ) from exc
        result[key] = encoded
    return result
