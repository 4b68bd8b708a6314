"""The asset graph as Airflow knows it: active assets, the tasks producing and reading them
(Airflow's outlet/inlet references), DAGs scheduled on them, and the ``asset_docs`` each
generated task carries in its serialized DAG. Read from Airflow's metadata DB on every request;
only the parsed ``asset_docs`` are cached, keyed by the serialized DAG's hash, so nothing here
can drift from what Airflow holds.

Registry assets of dynamic partitions (``asset2airflow-partitions/<name>``) are bookkeeping,
not user assets: they are kept apart (``registries``) and never appear in the graph.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from asset2airflow.airflow.asset_docs import FIELD, parse_asset_docs
from asset2airflow.airflow.dynamic import definition_name_of

REGISTRY_PREFIX = "asset2airflow-partitions://"


@dataclass(frozen=True)
class CheckDef:
    name: str
    description: str | None
    blocking: bool


@dataclass(frozen=True)
class AssetDoc:
    """One asset's ``asset_docs`` entry (see ``asset2airflow.airflow.asset_docs``)."""

    key: str
    description: str | None = None
    owners: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    code_version: str | None = None
    partitions: dict[str, Any] | None = None
    checks: tuple[CheckDef, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AssetDoc:
        return cls(
            key=str(data["key"]),
            description=_text(data.get("description")),
            owners=tuple(str(o) for o in data.get("owners") or ()),
            kinds=tuple(str(k) for k in data.get("kinds") or ()),
            tags=tuple((str(k), str(v)) for k, v in dict(data.get("tags") or {}).items()),
            code_version=_text(data.get("code_version")),
            partitions=data.get("partitions") if isinstance(data.get("partitions"), dict) else None,
            checks=tuple(
                CheckDef(str(c["name"]), _text(c.get("description")), bool(c.get("blocking")))
                for c in data.get("checks") or ()
                if isinstance(c, dict) and "name" in c
            ),
        )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class TaskRef:
    dag_id: str
    task_id: str


@dataclass
class AssetNode:
    id: int
    name: str
    uri: str
    group: str
    producers: list[TaskRef] = field(default_factory=list)
    consumers: list[TaskRef] = field(default_factory=list)
    scheduled_dags: list[str] = field(default_factory=list)
    doc: AssetDoc | None = None


@dataclass
class Catalog:
    assets: dict[int, AssetNode]
    edges: list[tuple[int, int]]
    """(upstream asset id, downstream asset id), sorted."""
    registries: dict[str, int]
    """Dynamic partitions definition name -> id of its registry asset."""
    dag_ids: set[str]
    """Active (not stale) DAGs."""

    def __post_init__(self) -> None:
        self.by_name = {a.name: a.id for a in self.assets.values()}
        self.upstream: dict[int, list[int]] = defaultdict(list)
        self.downstream: dict[int, list[int]] = defaultdict(list)
        for src, dst in self.edges:
            self.upstream[dst].append(src)
            self.downstream[src].append(dst)

    def fingerprint(self) -> str:
        """Changes whenever the graph's shape (assets, groups, names, edges) does."""
        digest = hashlib.sha1(usedforsecurity=False)
        for asset in sorted(self.assets.values(), key=lambda a: a.id):
            digest.update(f"{asset.id}\0{asset.name}\0{asset.group}\n".encode())
        digest.update(repr(self.edges).encode())
        return digest.hexdigest()

    def producer_tasks(self) -> set[TaskRef]:
        return {t for a in self.assets.values() for t in a.producers}

    def assets_of_dag(self, dag_id: str) -> list[AssetNode]:
        return [a for a in self.assets.values() if any(t.dag_id == dag_id for t in a.producers)]


def load_catalog(session: Session) -> Catalog:
    from airflow.models.asset import (
        AssetActive,
        AssetModel,
        DagScheduleAssetReference,
        TaskInletAssetReference,
        TaskOutletAssetReference,
    )
    from airflow.models.dag import DagModel

    dag_ids = set(session.scalars(select(DagModel.dag_id).where(DagModel.is_stale.is_(False))))
    rows = session.execute(
        select(AssetModel.id, AssetModel.name, AssetModel.uri, AssetModel.group).join(
            AssetActive,
            (AssetActive.name == AssetModel.name) & (AssetActive.uri == AssetModel.uri),
        )
    ).all()
    assets: dict[int, AssetNode] = {}
    registries: dict[str, int] = {}
    for asset_id, name, uri, group in rows:
        registry = definition_name_of(uri)
        if registry is not None:
            registries[registry] = asset_id
        else:
            assets[asset_id] = AssetNode(asset_id, name, uri, group or "default")

    outlets: dict[TaskRef, list[int]] = defaultdict(list)
    inlets: dict[TaskRef, list[int]] = defaultdict(list)
    for table, into in ((TaskOutletAssetReference, outlets), (TaskInletAssetReference, inlets)):
        refs = session.execute(select(table.asset_id, table.dag_id, table.task_id))
        ordered: list[tuple[int, str, str]] = sorted((r[0], r[1], r[2]) for r in refs)
        for asset_id, dag_id, task_id in ordered:
            if dag_id in dag_ids and asset_id in assets:
                into[TaskRef(dag_id, task_id)].append(asset_id)
    for task, ids in outlets.items():
        for asset_id in ids:
            assets[asset_id].producers.append(task)
    for task, ids in inlets.items():
        for asset_id in ids:
            assets[asset_id].consumers.append(task)
    scheduled: dict[str, list[int]] = defaultdict(list)
    schedule_refs = session.execute(
        select(DagScheduleAssetReference.asset_id, DagScheduleAssetReference.dag_id)
    )
    pairs: list[tuple[int, str]] = sorted((r[0], r[1]) for r in schedule_refs)
    for asset_id, dag_id in pairs:
        if dag_id in dag_ids and asset_id in assets:
            assets[asset_id].scheduled_dags.append(dag_id)
            scheduled[dag_id].append(asset_id)

    docs = _docs_by_task(session, {t.dag_id for t in outlets})
    for task, ids in outlets.items():
        by_key = {d.key: d for d in docs.get(task, ())}
        unmatched = [i for i in ids if assets[i].name not in by_key]
        left = [d for k, d in by_key.items() if k not in {assets[i].name for i in ids}]
        # An asset published under a pinned Airflow name (``airflow_task``) has a doc whose key
        # is not that name: pair a task's single leftover doc with its single leftover asset.
        pinned = dict(zip(unmatched, left, strict=True)) if len(unmatched) == len(left) == 1 else {}
        for asset_id in ids:
            node = assets[asset_id]
            node.doc = node.doc or by_key.get(node.name) or pinned.get(asset_id)

    edges: set[tuple[int, int]] = set()
    for task, ids in outlets.items():
        for upstream in inlets.get(task, ()):
            edges.update((upstream, produced) for produced in ids if produced != upstream)
    generated = {t.dag_id for t in docs}
    for dag_id, upstream_ids in scheduled.items():
        if dag_id in generated:
            continue  # our tasks declare what they read as inlets: exact edges above
        produced = [i for t, ids in outlets.items() if t.dag_id == dag_id for i in ids]
        edges.update((u, p) for u in upstream_ids for p in produced if u != p)
    return Catalog(assets, sorted(edges), registries, dag_ids)


# --- asset_docs from serialized DAGs, cached by DAG hash -----------------------------------

_DOCS_CACHE: dict[str, tuple[str, dict[TaskRef, tuple[AssetDoc, ...]]]] = {}
_DOCS_LOCK = threading.Lock()


def _docs_by_task(session: Session, dag_ids: Iterable[str]) -> dict[TaskRef, tuple[AssetDoc, ...]]:
    from airflow.models.dag_version import DagVersion
    from airflow.models.serialized_dag import SerializedDagModel

    wanted = sorted(set(dag_ids))
    if not wanted:
        return {}
    latest = (
        select(DagVersion.dag_id, func.max(DagVersion.version_number).label("number"))
        .join(SerializedDagModel, SerializedDagModel.dag_version_id == DagVersion.id)
        .group_by(DagVersion.dag_id)
        .subquery()
    )
    current = session.execute(
        select(SerializedDagModel.id, SerializedDagModel.dag_id, SerializedDagModel.dag_hash)
        .join(DagVersion, SerializedDagModel.dag_version_id == DagVersion.id)
        .join(
            latest,
            (latest.c.dag_id == DagVersion.dag_id) & (latest.c.number == DagVersion.version_number),
        )
    ).all()
    result: dict[TaskRef, tuple[AssetDoc, ...]] = {}
    wanted_set = set(wanted)
    for row_id, dag_id, dag_hash in current:
        if dag_id not in wanted_set:
            continue
        with _DOCS_LOCK:
            cached = _DOCS_CACHE.get(dag_id)
        if cached is None or cached[0] != dag_hash:
            model = session.get(SerializedDagModel, row_id)
            parsed = _docs_in(model.data if model is not None else None, dag_id)
            with _DOCS_LOCK:
                _DOCS_CACHE[dag_id] = (dag_hash, parsed)
            cached = (dag_hash, parsed)
        result.update(cached[1])
    return result


def _docs_in(data: Any, dag_id: str) -> dict[TaskRef, tuple[AssetDoc, ...]]:
    """``asset_docs`` of each task in a serialized DAG's ``data``."""
    found: dict[TaskRef, tuple[AssetDoc, ...]] = {}
    tasks = (data or {}).get("dag", {}).get("tasks", []) if isinstance(data, dict) else []
    for task in tasks:
        fields = task.get("__var", task) if isinstance(task, dict) else {}
        entries = parse_asset_docs(fields.get(FIELD))
        if entries:
            docs = []
            for entry in entries:
                try:
                    docs.append(AssetDoc.from_json(entry))
                except (KeyError, TypeError, ValueError):
                    continue
            found[TaskRef(dag_id, str(fields.get("task_id")))] = tuple(docs)
    return found
