"""``airflow_task`` and ``airflow_dag``: pin Airflow settings (``airflow_options``) on an asset's
task or on a job's DAG.

    @airflow_task(task_id="extract.orders", pool="db", trigger_rule="all_done")
    @asset
    def orders(): ...

    job = airflow_dag("legacy_orders", schedule="@daily", start_date=..., tags=["orders"])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from asset2airflow.authoring.airflow_options import (
    AirflowAssetRef,
    AirflowDagOptions,
    AirflowTaskOptions,
    check_airflow_id,
)
from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.jobs import AssetJobDefinition, define_asset_job
from asset2airflow.authoring.keys import AssetKey, CoercibleToAssetKey
from asset2airflow.authoring.selection import AssetSelection
from asset2airflow.errors import DefinitionError

# Arguments the compiler owns: pinning them would break the DAG it builds.
_TASK_RESERVED = ("task_id", "dag", "task_group")


def _checked_arguments(
    arguments: Mapping[str, Any], reserved: tuple[str, ...], what: str
) -> tuple[tuple[str, Any], ...]:
    for name in reserved:
        if name in arguments:
            raise DefinitionError(
                f"{what}: {name}= cannot be given as an Airflow argument; "
                + ("use task_id=." if name == "task_id" else "the compiler sets it.")
            )
    return tuple(arguments.items())


def airflow_task(
    *,
    task_id: str | None = None,
    assets: Mapping[CoercibleToAssetKey, AirflowAssetRef] | None = None,
    **arguments: Any,
) -> Callable[[AssetsDefinition], AssetsDefinition]:
    """Pin Airflow settings of an asset's (or multi-asset's) task; stack it above ``@asset``.

    ``task_id`` replaces the node name as the task id; ``assets`` publishes asset keys as the
    given Airflow assets (name, uri, group, extra); every other keyword is passed to the task's
    operator over what the compiler derives (``trigger_rule``, ``retries``, ``pool``, ``owner``,
    ``doc_md``...), except ``outlets``/``inlets``, which are added to the derived ones, and
    ``is_setup``/``is_teardown``/``on_failure_fail_dagrun``, set on the built task.
    """
    if task_id is not None:
        check_airflow_id(task_id, "airflow_task(task_id=...)")
    pinned = tuple(sorted((AssetKey.from_coercible(k), v) for k, v in (assets or {}).items()))
    for key, ref in pinned:
        if not isinstance(ref, AirflowAssetRef):
            raise DefinitionError(
                f"airflow_task(assets=...): the value for {key.to_user_string()!r} is {ref!r}; "
                "give an AirflowAssetRef(name=..., uri=...)."
            )

    def decorate(assets_def: AssetsDefinition) -> AssetsDefinition:
        if not isinstance(assets_def, AssetsDefinition) or assets_def.is_external:
            raise DefinitionError(
                f"@airflow_task decorates an asset or multi-asset (put it above @asset), not "
                f"{assets_def!r}."
            )
        what = f"airflow_task on {assets_def.node_name!r} ({assets_def.location})"
        unknown = [k.to_user_string() for k, _ in pinned if k not in assets_def.keys]
        if unknown:
            raise DefinitionError(
                f"{what}: assets= names {unknown}, which it does not produce; it produces "
                f"{sorted(k.to_user_string() for k in assets_def.keys)}."
            )
        options = AirflowTaskOptions(
            task_id, _checked_arguments(arguments, _TASK_RESERVED, what), pinned
        )
        return replace(assets_def, airflow=options)

    return decorate


def airflow_dag(dag_id: str, *, selection: Any = None, **arguments: Any) -> AssetJobDefinition:
    """A job (default: all assets) whose DAG has id ``dag_id`` (any id Airflow accepts, dots and
    dashes included) and these ``DAG(...)`` arguments over the derived ones: ``schedule``,
    ``start_date``, ``catchup``, ``default_args``, ``tags``, ``params``, ``doc_md``,
    ``max_active_runs``... ``tags`` and ``default_args`` replace the derived ones; pinned
    ``params`` join the assets' ``Config`` params, and the DAG gets no ``assets`` selection
    param."""
    check_airflow_id(dag_id, "airflow_dag: the DAG id")
    name = re.sub(r"\W", "_", dag_id, flags=re.ASCII)
    job = define_asset_job(name, selection=AssetSelection.all() if selection is None else selection)
    options = AirflowDagOptions(dag_id, tuple(arguments.items()))
    return replace(job, airflow=options)
