"""The asset page's data: definition (Airflow's asset row plus the task's ``asset_docs``),
state, checks with their latest result, recent materializations and failures, the check
history of one check, and the assets of one DAG (the DAG's "Assets" tab)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from asset2airflow.airflow.record import RECORD_EXTRA, EventExtra, RecordError
from asset2airflow.plugin.catalog import AssetNode, Catalog
from asset2airflow.plugin.runs import Visibility, step_reports
from asset2airflow.plugin.serialize import check_json, iso, task_json
from asset2airflow.plugin.status import AssetState, statuses

MAX_PAGE = 200


def asset_detail(
    session: Session, catalog: Catalog, node: AssetNode, visibility: Visibility
) -> dict[str, Any]:
    from airflow.models.asset import AssetModel

    extra = session.scalar(select(AssetModel.extra).where(AssetModel.id == node.id))
    neighbours = set(catalog.upstream[node.id]) | set(catalog.downstream[node.id]) | {node.id}
    found = statuses(session, catalog, visibility, neighbours)
    status = found.by_asset[node.id]
    doc = node.doc
    checks = []
    for check in doc.checks if doc else ():
        latest = found.latest_checks.get((node.name, check.name))
        checks.append(
            {
                "name": check.name,
                "description": check.description,
                "blocking": check.blocking,
                "latest": check_json(latest) if latest else None,
                **found.check_json(node.name, check.name),
            }
        )
    return {
        "id": node.id,
        "name": node.name,
        "uri": node.uri,
        "group": node.group,
        "description": doc.description if doc else None,
        "owners": list(doc.owners) if doc else [],
        "kinds": list(doc.kinds) if doc else [],
        "tags": dict(doc.tags) if doc else {},
        "code_version": doc.code_version if doc else None,
        "metadata": {k: v for k, v in extra.items() if k != RECORD_EXTRA}
        if isinstance(extra, dict)
        else {},
        "generated": doc is not None,
        "producers": [task_json(t) for t in node.producers],
        "consumers": [task_json(t) for t in node.consumers],
        "scheduled_dags": list(node.scheduled_dags),
        "upstream": _linked(catalog, catalog.upstream[node.id], found.by_asset),
        "downstream": _linked(catalog, catalog.downstream[node.id], found.by_asset),
        "state": status.state,
        "check_state": status.checks,
        "materialization_count": status.last.count if status.last else 0,
        "last_materialized": iso(status.last.last_time) if status.last else None,
        "partitions": doc.partitions if doc else None,
        "checks": checks,
        "failures": recent_failures(session, node, visibility),
        "runs_hidden": bool(node.producers)
        and not any(visibility.can_read(t.dag_id) for t in node.producers),
    }


def _linked(
    catalog: Catalog, ids: list[int], status: dict[int, AssetState]
) -> list[dict[str, Any]]:
    linked = [
        {"id": i, "name": catalog.assets[i].name, "state": status[i].state if i in status else None}
        for i in ids
    ]
    return sorted(linked, key=lambda a: str(a["name"]))


def materializations(
    session: Session, node: AssetNode, visibility: Visibility, limit: int, before: int | None
) -> dict[str, Any]:
    """The asset's visible events, newest first, ``limit`` at a time (``before``: an event id)."""
    from airflow.models.asset import AssetEvent
    from sqlalchemy import or_

    limit = max(1, min(limit, MAX_PAGE))
    query = (
        select(AssetEvent)
        .where(AssetEvent.asset_id == node.id)
        .where(
            or_(
                AssetEvent.source_dag_id.is_(None),
                AssetEvent.source_dag_id.in_(sorted(visibility.readable)),
            )
        )
        .order_by(AssetEvent.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        query = query.where(AssetEvent.id < before)
    events = list(session.scalars(query))
    items = [event_json(e) for e in events[:limit]]
    return {
        "materializations": items,
        "next_before": events[limit - 1].id if len(events) > limit else None,
    }


def event_json(event: Any) -> dict[str, Any]:
    """An asset event; its ``extra`` read through ``EventExtra`` when asset2airflow wrote it
    (another producer's extra is shown as it is)."""
    extra = event.extra if isinstance(event.extra, dict) else {}
    try:
        ours = EventExtra.read(extra)
    except RecordError as exc:
        ours = None
        extra = {**extra, "unreadable": str(exc)}
    return {
        "id": event.id,
        "timestamp": iso(event.timestamp),
        "dag_id": event.source_dag_id,
        "task_id": event.source_task_id,
        "run_id": event.source_run_id,
        "partition": event.partition_key,
        "metadata": dict(ours.metadata) if ours else {},
        "checks": [c.to_json() | {"state": c.state} for c in ours.checks] if ours else [],
        "code_version": ours.code_version if ours else None,
        "data_version": ours.data_version if ours else None,
        "extra": {} if ours else extra,
    }


def recent_failures(
    session: Session, node: AssetNode, visibility: Visibility, limit: int = 10
) -> list[dict[str, Any]]:
    """Failed tries of the producing tasks, newest first, with the error of their step report."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance as TI

    found = []
    for task in node.producers:
        if not visibility.can_read(task.dag_id):
            continue
        rows = session.execute(
            select(TI.run_id, TI.end_date, DagRun.partition_key)
            .join(DagRun, (DagRun.dag_id == TI.dag_id) & (DagRun.run_id == TI.run_id))
            .where(TI.dag_id == task.dag_id, TI.task_id == task.task_id, TI.state == "failed")
            .order_by(TI.end_date.desc())
            .limit(limit)
        )
        for run_id, end_date, partition in rows:
            found.append(
                {
                    **task_json(task),
                    "run_id": run_id,
                    "end_date": iso(end_date),
                    "partition": partition,
                }
            )
    found.sort(key=lambda f: f["end_date"] or "", reverse=True)
    return found[:limit]


def check_history(
    session: Session, node: AssetNode, check_name: str, visibility: Visibility, limit: int
) -> dict[str, Any]:
    limit = max(1, min(limit, MAX_PAGE))
    history = [
        check_json(result)
        for report in step_reports(session, node.producers, visibility, limit)
        for result in report.check_results()
        if result.asset == node.name and result.name == check_name
    ]
    return {"asset": node.name, "check": check_name, "history": history[:limit]}


def dag_assets(
    session: Session, catalog: Catalog, dag_id: str, visibility: Visibility
) -> dict[str, Any]:
    nodes = catalog.assets_of_dag(dag_id)
    found = statuses(session, catalog, visibility, {n.id for n in nodes})
    assets = []
    for node in sorted(nodes, key=lambda n: n.name):
        status = found.by_asset[node.id]
        checks = [
            check_json(r) | found.check_json(asset, name)
            for (asset, name), r in sorted(found.latest_checks.items())
            if asset == node.name
        ]
        assets.append(
            {
                "id": node.id,
                "name": node.name,
                "group": node.group,
                "task_ids": sorted(t.task_id for t in node.producers if t.dag_id == dag_id),
                "description": node.doc.description if node.doc else None,
                "state": status.state,
                "check_state": status.checks,
                "last_materialized": iso(status.last.last_time) if status.last else None,
                "last_partition": status.last.partition if status.last else None,
                "materialization_count": status.last.count if status.last else 0,
                "checks": checks,
                "upstream": _linked(catalog, catalog.upstream[node.id], {}),
                "downstream": _linked(catalog, catalog.downstream[node.id], {}),
                "partitioned": bool(node.doc and node.doc.partitions),
            }
        )
    return {"dag_id": dag_id, "assets": assets}
