"""Pieces every planner shares (asset, op and schedule/sensor DAGs): the Airflow asset an
asset key becomes, the dynamic partition registries, a retry policy's task fields. No Airflow
imports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asset2airflow.airflow.dag_plan import AssetRefPlan
from asset2airflow.airflow.dynamic import REGISTRY_GROUP, registry_name, registry_uri
from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.asset_graph.graph import AssetGraph
from asset2airflow.authoring.airflow_options import task_options
from asset2airflow.authoring.dynamic_partitions import dynamic_names
from asset2airflow.authoring.io_manager import IOManager, IOManagerDefinition
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.authoring.metadata import metadata_to_json
from asset2airflow.authoring.policy import Backoff, RetryPolicy
from asset2airflow.authoring.specs import DEFAULT_GROUP, DEFAULT_IO_MANAGER_KEY
from asset2airflow.io import default_io_manager

URI_SCHEME = "asset2airflow"


def io_managers(defs: Definitions) -> dict[str, Any]:
    """IO managers by key, with the default one built once (its storage URI names outlets)."""
    return {DEFAULT_IO_MANAGER_KEY: default_io_manager(), **defs.resources}


def asset_ref(graph: AssetGraph, managers: Mapping[str, Any], key: AssetKey) -> AssetRefPlan:
    """The Airflow asset of ``key``: pinned with ``airflow_task(assets=...)``, by name only
    for an external asset, else named after the key with its IO manager's storage URI."""
    assets_def = graph.get(key)
    spec = graph.spec(key)
    options = task_options(assets_def)
    pinned = options.asset_ref(key) if options is not None else None
    if pinned is not None:  # published as a given Airflow asset (``airflow_task(assets=...)``)
        pinned_uri = pinned.uri or pinned.name
        return AssetRefPlan(pinned.name, pinned_uri, pinned.group, dict(pinned.extra))
    if assets_def.is_external:
        return AssetRefPlan(key.to_user_string())
    manager = managers.get(graph.io_manager_key(key))
    uri = (
        manager.storage_uri(key) if isinstance(manager, (IOManager, IOManagerDefinition)) else None
    )
    return AssetRefPlan(
        name=key.to_user_string(),
        uri=uri or f"{URI_SCHEME}://{key.to_user_string()}",
        group=spec.group_name or DEFAULT_GROUP,
        extra=metadata_to_json(spec.metadata),
    )


def registries(graph: AssetGraph) -> tuple[AssetRefPlan, ...]:
    """The registry assets of the graph's dynamic partitions (see ``airflow.dynamic``)."""
    names = sorted({n for k in graph.all_keys for n in dynamic_names(graph.spec(k).partitions_def)})
    return tuple(
        AssetRefPlan(name=registry_name(n), uri=registry_uri(n), group=REGISTRY_GROUP)
        for n in names
    )


def retry_settings(policy: RetryPolicy | None) -> dict[str, Any]:
    """A ``RetryPolicy`` as the task plan's retry fields (asset and op tasks alike)."""
    return {
        "retries": policy.max_retries if policy else 0,
        "retry_delay_seconds": float(policy.delay or 0) if policy else 0.0,
        "retry_exponential_backoff": (
            2.0 if policy and policy.backoff is Backoff.EXPONENTIAL else 0.0
        ),
    }
