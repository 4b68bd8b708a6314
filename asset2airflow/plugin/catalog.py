"""The asset graph as Airflow knows it: active assets, the tasks producing and reading them
(Airflow's outlet/inlet references), DAGs scheduled on them, and the static record
(``asset2airflow.airflow.record.TaskRecord``) each generated task carries in its serialized DAG.
Read from Airflow's metadata DB on every request; only the parsed records are cached, keyed by
the serialized DAG's hash, so nothing here can drift from what Airflow holds.

Edges come from the records' upstream keys: every edge of each file's asset graph, across DAGs,
files and inside fused tasks. Tasks without a record (or with a version-1 record, which listed
no upstreams) fall back to Airflow's refs: their inlets, and the assets their DAG is scheduled
on.

Registry assets of dynamic partitions (``asset2airflow-partitions/<name>``) are bookkeeping,
not user assets: they are kept apart (``registries``) and never appear in the graph.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from asset2airflow.airflow.dynamic import definition_name_of
from asset2airflow.airflow.record import (
    FIELD,
    RECORD_EXTRA,
    AssetRecord,
    RecordError,
    TaskRecord,
    read_task_record,
)

REGISTRY_PREFIX = "asset2airflow-partitions://"
_LOG = logging.getLogger(__name__)


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
    doc: AssetRecord | None = None


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

    records = _records_by_task(session, {t.dag_id for t in outlets})
    for task, ids in outlets.items():
        record = records.get(task)
        by_key = {d.key: d for d in record.assets} if record else {}
        unmatched = [i for i in ids if assets[i].name not in by_key]
        left = [d for k, d in by_key.items() if k not in {assets[i].name for i in ids}]
        # An asset published under a pinned Airflow name (``airflow_task``) has a record whose
        # key is not that name: pair a task's single leftover record with its leftover asset.
        pinned = dict(zip(unmatched, left, strict=True)) if len(unmatched) == len(left) == 1 else {}
        for asset_id in ids:
            node = assets[asset_id]
            node.doc = node.doc or by_key.get(node.name) or pinned.get(asset_id)
    _observed_records(session, assets)
    edges = _edges(assets, outlets, inlets, scheduled, {t.dag_id for t in records})
    return Catalog(assets, sorted(edges), registries, dag_ids)


def _observed_records(session: Session, assets: dict[int, AssetNode]) -> None:
    """The records observed task DAGs keep in their assets' ``extra`` (``migrate.observe``),
    for assets no task record describes. Only rows whose JSON names the key are decoded."""
    from airflow.models.asset import AssetModel

    rows = session.execute(
        select(AssetModel.id, AssetModel.extra).where(
            cast(AssetModel.extra, String).like(f"%{RECORD_EXTRA}%")
        )
    )
    for asset_id, extra in rows:
        node = assets.get(asset_id)
        if node is None or node.doc is not None or not isinstance(extra, dict):
            continue
        try:
            record = read_task_record(extra.get(RECORD_EXTRA), f"asset {node.name!r}")
        except RecordError as exc:
            _LOG.warning("%s", exc)
            continue
        node.doc = next((a for a in record.assets if a.key == node.name), None) if record else None


def _edges(
    assets: dict[int, AssetNode],
    outlets: dict[TaskRef, list[int]],
    inlets: dict[TaskRef, list[int]],
    scheduled: dict[str, list[int]],
    generated: set[str],
) -> set[tuple[int, int]]:
    """(upstream, downstream) asset ids: from the records' upstream keys where every asset a
    task produces has them, else from the task's inlets; and, for DAGs we did not generate
    (plain or observed task DAGs), from the assets the DAG is scheduled on."""
    by_key = {a.doc.key: i for i, a in assets.items() if a.doc is not None}
    by_name = {a.name: i for i, a in assets.items()}
    edges: set[tuple[int, int]] = set()
    for task, ids in outlets.items():
        docs = [assets[i].doc for i in ids]
        if ids and all(d is not None and d.upstream is not None for d in docs):
            for asset_id in ids:
                doc = assets[asset_id].doc
                for key in (doc.upstream or ()) if doc is not None else ():
                    upstream = by_key.get(key, by_name.get(key))
                    if upstream is not None and upstream != asset_id:
                        edges.add((upstream, asset_id))
            continue
        for upstream in inlets.get(task, ()):
            edges.update((upstream, produced) for produced in ids if produced != upstream)
    for dag_id, upstream_ids in scheduled.items():
        if dag_id in generated:
            continue  # its records list every upstream: exact edges above
        produced = [i for t, ids in outlets.items() if t.dag_id == dag_id for i in ids]
        edges.update((u, p) for u in upstream_ids for p in produced if u != p)
    return edges


# --- records from serialized DAGs, cached by DAG hash -------------------------------------

_DOCS_CACHE: dict[str, tuple[str, dict[TaskRef, TaskRecord]]] = {}
_DOCS_LOCK = threading.Lock()


def _records_by_task(session: Session, dag_ids: Iterable[str]) -> dict[TaskRef, TaskRecord]:
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
    result: dict[TaskRef, TaskRecord] = {}
    wanted_set = set(wanted)
    for row_id, dag_id, dag_hash in current:
        if dag_id not in wanted_set:
            continue
        with _DOCS_LOCK:
            cached = _DOCS_CACHE.get(dag_id)
        if cached is None or cached[0] != dag_hash:
            model = session.get(SerializedDagModel, row_id)
            parsed = _records_in(model.data if model is not None else None, dag_id)
            with _DOCS_LOCK:
                _DOCS_CACHE[dag_id] = (dag_hash, parsed)
            cached = (dag_hash, parsed)
        result.update(cached[1])
    return result


def _records_in(data: Any, dag_id: str) -> dict[TaskRef, TaskRecord]:
    """The static record of each task in a serialized DAG's ``data`` that has one. A record
    this plugin cannot read is logged and left out (the task falls back to Airflow's refs)."""
    found: dict[TaskRef, TaskRecord] = {}
    tasks = (data or {}).get("dag", {}).get("tasks", []) if isinstance(data, dict) else []
    for task in tasks:
        fields = task.get("__var", task) if isinstance(task, dict) else {}
        ref = TaskRef(dag_id, str(fields.get("task_id")))
        try:
            record = read_task_record(fields.get(FIELD), f"task {ref.task_id!r} of {dag_id!r}")
        except RecordError as exc:
            _LOG.warning("%s", exc)
            continue
        if record is not None:
            found[ref] = record
    return found
