"""Which asset keys the tasks of a DAG become: a task with Airflow ``Asset`` outlets is named
after them (one asset per outlet, published as exactly that Airflow asset); a task without
outlets after its task id (``group.task`` -> ``group/task``). Keys and node names are unique
within the DAG (a clash gets a ``_2`` suffix)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from asset2airflow.airflow.plan import URI_SCHEME
from asset2airflow.authoring.airflow_options import AirflowAssetRef
from asset2airflow.authoring.keys import AssetKey

_BAD = re.compile(r"[^A-Za-z0-9_\-]+")


@dataclass(frozen=True)
class TaskAssets:
    """The keys of one task and, for those named after an outlet, the outlet."""

    task_id: str
    keys: tuple[AssetKey, ...]
    pinned: tuple[tuple[AssetKey, AirflowAssetRef], ...]
    node_name: str


def _component(text: str) -> str:
    cleaned = _BAD.sub("_", text).strip("_")
    return cleaned or "_"


def is_asset(value: Any) -> bool:
    """An Airflow ``Asset`` (or ``AssetDefinition``, what Airflow's ``@asset`` makes)."""
    return any(
        c.__name__ == "Asset" and c.__module__.startswith("airflow") for c in type(value).__mro__
    )


def key_from_name(name: str) -> AssetKey:
    """An asset key for an Airflow asset name: ``s3://bucket/x.csv`` -> ``s3/bucket/x_csv``."""
    parts = [p for p in re.split(r"/+", name) if p.strip(":")]
    return AssetKey([_component(p.rstrip(":")) for p in parts] or ["asset"])


def key_from_task_id(task_id: str) -> AssetKey:
    return AssetKey([_component(p) for p in task_id.split(".")])


def airflow_assets(outlets: Iterable[Any]) -> list[Any]:
    """The concrete Airflow ``Asset`` outlets (aliases and name/URI references excluded), each
    once."""
    found: dict[tuple[str, str], Any] = {}
    for outlet in outlets:
        if is_asset(outlet):
            found.setdefault((outlet.name, outlet.uri), outlet)
    return list(found.values())


def _compiled_as(key: AssetKey, asset: Any) -> bool:
    """Whether the compiler publishes ``key`` as ``asset`` anyway (name = the key path, uri =
    ``asset2airflow://`` + it, no extra), as for outlets added by ``observe``: no pin needed."""
    name = key.to_user_string()
    return bool(asset.name == name and asset.uri == f"{URI_SCHEME}://{name}" and not asset.extra)


def assign_keys(tasks: Iterable[tuple[str, list[Any]]]) -> dict[str, TaskAssets]:
    """``(task id, outlets)`` pairs, in DAG order -> each task's assets."""
    used_keys: set[AssetKey] = set()
    used_nodes: set[str] = set()
    result: dict[str, TaskAssets] = {}

    def unique_key(key: AssetKey) -> AssetKey:
        candidate, n = key, 1
        while candidate in used_keys or candidate.to_python_identifier() in used_nodes:
            n += 1
            candidate = AssetKey([*key.path[:-1], f"{key.path[-1]}_{n}"])
        used_keys.add(candidate)
        used_nodes.add(candidate.to_python_identifier())
        return candidate

    for task_id, outlets in tasks:
        assets = airflow_assets(outlets)
        if assets:
            keys = tuple(unique_key(key_from_name(a.name)) for a in assets)
            pinned = tuple(
                (k, AirflowAssetRef(a.name, a.uri, a.group, dict(a.extra or {})))
                for k, a in zip(keys, assets, strict=True)
                if not _compiled_as(k, a)
            )
        else:
            keys, pinned = (unique_key(key_from_task_id(task_id)),), ()
        node = keys[0].to_python_identifier()
        if len(keys) > 1:  # a multi-asset: its node is named after the task
            node = key_from_task_id(task_id).to_python_identifier()
            while node in used_nodes:
                node += "_task"
            used_nodes.add(node)
        result[task_id] = TaskAssets(task_id, keys, pinned, node)
    return result
