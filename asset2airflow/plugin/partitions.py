"""``GET api/assets/{id}/partitions``: the status of every partition of a partitioned asset,
as one character per key (aligned with ``keys``) so 50,000 partitions stay a small response:

``m`` materialized, ``c`` its latest materialization or run has a failed check, ``f`` its
latest run failed, ``r`` a run is under way, ``-`` missing (never materialized).

Keys come from the partitions definition in the asset's static record (dynamic keys from the
registry asset's events); statuses from asset events (``partition_key``, their ``EventExtra``)
and the producing tasks' instances in runs with that ``dag_run.partition_key``, with their run
records.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from asset2airflow.airflow.dynamic import replay
from asset2airflow.airflow.params import PARTITION_KEY_PARAM
from asset2airflow.airflow.record import (
    XCOM_KEY,
    EventExtra,
    RecordError,
    dynamic_names_in,
    partitions_from_json,
)
from asset2airflow.authoring.dynamic_partitions import DagsterInstance, dynamic_partitions_store
from asset2airflow.authoring.partitions import PartitionsDefinition
from asset2airflow.errors import Asset2AirflowError
from asset2airflow.plugin.catalog import AssetNode, Catalog
from asset2airflow.plugin.runs import (
    ACTIVE_STATES,
    CheckResult,
    Visibility,
    chunks,
    read_run_record,
)
from asset2airflow.plugin.serialize import check_json, iso

MATERIALIZED, CHECK_FAILED, FAILED, RUNNING, MISSING = "m", "c", "f", "r", "-"
LEGEND = {
    MATERIALIZED: "materialized",
    CHECK_FAILED: "check failed",
    FAILED: "failed",
    RUNNING: "running",
    MISSING: "missing",
}

_DEFINITIONS: OrderedDict[str, PartitionsDefinition] = OrderedDict()
_DEFINITIONS_LOCK = threading.Lock()


def _definition(data: Mapping[str, Any]) -> PartitionsDefinition | None:
    """Rebuilt once per distinct definition: a time-window definition caches its key list."""
    key = json.dumps(dict(data), sort_keys=True)
    with _DEFINITIONS_LOCK:
        found = _DEFINITIONS.get(key)
        if found is not None:
            _DEFINITIONS.move_to_end(key)
            return found
    definition = partitions_from_json(data)
    if definition is not None:
        with _DEFINITIONS_LOCK:
            _DEFINITIONS[key] = definition
            while len(_DEFINITIONS) > 32:
                _DEFINITIONS.popitem(last=False)
    return definition


def partition_keys(session: Session, catalog: Catalog, data: Mapping[str, Any]) -> list[str]:
    from airflow.models.asset import AssetEvent

    definition = _definition(data)
    if definition is None:
        return []
    store = DagsterInstance()
    for name in dynamic_names_in(data):
        registry = catalog.registries.get(name)
        extras = (
            session.scalars(
                select(AssetEvent.extra)
                .where(AssetEvent.asset_id == registry)
                .order_by(AssetEvent.id)
            ).all()
            if registry is not None
            else []
        )
        keys = replay([e for e in extras if isinstance(e, dict)])
        if keys:
            store.add_dynamic_partitions(name, keys)
    try:
        with dynamic_partitions_store(store):
            return list(definition.get_partition_keys())
    except Asset2AirflowError:
        return []


def partition_status(
    session: Session, catalog: Catalog, node: AssetNode, visibility: Visibility
) -> dict[str, Any]:
    data = node.doc.partitions if node.doc else None
    if not data:
        return {"partitioned": False, "keys": [], "status": "", "legend": LEGEND}
    keys = partition_keys(session, catalog, data)
    latest, check_failed_events = _events(session, node, visibility)
    failed_at, active, blocked = _runs(session, node, visibility)
    done_at = _event_times(session, (latest[k] for k in failed_at if k in latest))
    # Most keys are plainly materialized or missing; the few others are decided one by one.
    special: dict[str, str] = {}
    for key in active:
        special[key] = RUNNING
    for key, failure in failed_at.items():
        event = latest.get(key)
        if key not in special and (event is None or failure > done_at[event]):
            special[key] = CHECK_FAILED if key in blocked else FAILED
    for key, event in latest.items():
        if event in check_failed_events and key not in special:
            special[key] = CHECK_FAILED
    codes = [special.get(k) or (MATERIALIZED if k in latest else MISSING) for k in keys]
    status = "".join(codes)
    counts = {code: status.count(code) for code in LEGEND}
    return {
        "partitioned": True,
        "type": data.get("type"),
        "keys": keys,
        "status": status,
        "counts": counts,
        "legend": LEGEND,
    }


def _events(
    session: Session, node: AssetNode, visibility: Visibility
) -> tuple[dict[str, int], set[int]]:
    """Per key: the id of its latest visible event; and which of those events record a failed
    check. Fetches only (key, id) pairs through SQLAlchemy Core (no timestamps, no JSON:
    converting 50,000 of either costs more than the query); only events whose JSON mentions
    ``false`` can hold a failed check, and only the latest of those are parsed."""
    from airflow.models.asset import AssetEvent

    connection = session.connection()
    mine = (AssetEvent.asset_id == node.id, AssetEvent.partition_key.is_not(None))
    rows = connection.execute(
        select(AssetEvent.partition_key, AssetEvent.id, AssetEvent.source_dag_id)
        .where(*mine)
        .order_by(AssetEvent.id)
    ).all()
    # Ascending ids: the latest event of a key wins.
    latest: dict[str, int] = {
        str(key): event_id
        for key, event_id, dag_id in rows
        if visibility.unrestricted or visibility.can_read(dag_id)
    }
    suspects = set(
        connection.execute(
            select(AssetEvent.id).where(*mine, cast(AssetEvent.extra, String).like("%false%"))
        ).scalars()
    )
    suspects &= set(latest.values())
    failed: set[int] = set()
    for part in chunks(sorted(suspects)):
        for event_id, extra in session.execute(
            select(AssetEvent.id, AssetEvent.extra).where(AssetEvent.id.in_(part))
        ):
            try:
                ours = EventExtra.read(extra)
            except RecordError:
                continue
            if ours is not None and any(not c.passed for c in ours.checks):
                failed.add(event_id)
    return latest, failed


def _event_times(session: Session, ids: Iterable[int]) -> dict[int, dt.datetime]:
    from airflow.models.asset import AssetEvent

    times: dict[int, dt.datetime] = {}
    for part in chunks(sorted(set(ids))):
        rows = session.execute(
            select(AssetEvent.id, AssetEvent.timestamp).where(AssetEvent.id.in_(part))
        )
        times.update({event_id: timestamp for event_id, timestamp in rows})
    return times


def _run_key(partition_key: str | None, conf: Any) -> str | None:
    """A run's partition: Airflow's ``dag_run.partition_key``, else the ``partition_key`` run
    conf/param (runs triggered with the param, or by ``dag.test()``)."""
    if partition_key:
        return str(partition_key)
    value = conf.get(PARTITION_KEY_PARAM) if isinstance(conf, dict) else None
    return str(value) if value else None


def _runs(
    session: Session, node: AssetNode, visibility: Visibility
) -> tuple[dict[str, dt.datetime], set[str], set[str]]:
    """Per key: latest failure of a producing task, keys with a try under way, and keys whose
    failed try reported a failed check (a blocking check stopped it)."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance as TI
    from airflow.models.xcom import XComModel as X

    failed_at: dict[str, dt.datetime] = {}
    active: set[str] = set()
    blocked: set[str] = set()
    for task in node.producers:
        if not visibility.can_read(task.dag_id):
            continue
        of_task = (
            TI.dag_id == task.dag_id,
            TI.task_id == task.task_id,
            TI.state.in_(["failed", *ACTIVE_STATES]),
        )
        joined = (DagRun.dag_id == TI.dag_id) & (DagRun.run_id == TI.run_id)
        keyed = session.execute(
            select(DagRun.id, DagRun.partition_key, TI.state, TI.end_date)
            .join(DagRun, joined)
            .where(*of_task, DagRun.partition_key.is_not(None))
        )
        # Runs without Airflow's partition key may carry it in their conf: JSON, decoded only
        # for those.
        unkeyed = session.execute(
            select(DagRun.id, DagRun.conf, TI.state, TI.end_date)
            .join(DagRun, joined)
            .where(*of_task, DagRun.partition_key.is_(None))
        )
        found = [(r[0], str(r[1]), r[2], r[3]) for r in keyed] + [
            (r[0], _run_key(None, r[1]), r[2], r[3]) for r in unkeyed
        ]
        failed_runs: dict[int, str] = {}
        for run_pk, key, state, end_date in found:
            if key is None:
                continue
            if state != "failed":
                active.add(key)
            elif end_date is not None:
                failed_at[key] = max(failed_at.get(key, end_date), end_date)
                failed_runs[run_pk] = key
        for part in chunks(sorted(failed_runs)):
            reports = session.execute(
                select(X.dag_run_id, X.value).where(
                    X.dag_run_id.in_(part), X.task_id == task.task_id, X.key == XCOM_KEY
                )
            )
            for run_pk, value in reports:
                record = read_run_record(value, f"task {task.task_id!r} of {task.dag_id!r}")
                if record is not None and any(not c.passed for c in record.checks):
                    blocked.add(failed_runs[run_pk])
    return failed_at, active, blocked


def partition_detail(
    session: Session, node: AssetNode, key: str, visibility: Visibility
) -> dict[str, Any]:
    """One partition: its latest materializations, the producing task's runs for it and the
    checks of its latest step report."""
    from airflow.models.asset import AssetEvent
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance as TI
    from airflow.models.xcom import XComModel as X

    from asset2airflow.plugin.assets import event_json

    events = [
        e
        for e in session.scalars(
            select(AssetEvent)
            .where(AssetEvent.asset_id == node.id, AssetEvent.partition_key == key)
            .order_by(AssetEvent.id.desc())
            .limit(20)
        )
        if visibility.can_read(e.source_dag_id)
    ][:5]
    runs: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    for task in node.producers:
        if not visibility.can_read(task.dag_id):
            continue
        rows = [
            row[:5]
            for row in session.execute(
                select(
                    TI.run_id,
                    TI.state,
                    TI.start_date,
                    TI.end_date,
                    DagRun.id,
                    DagRun.partition_key,
                    DagRun.conf,
                )
                .join(DagRun, (DagRun.dag_id == TI.dag_id) & (DagRun.run_id == TI.run_id))
                .where(TI.dag_id == task.dag_id, TI.task_id == task.task_id)
                .where(or_(DagRun.partition_key == key, DagRun.partition_key.is_(None)))
                .order_by(DagRun.id.desc())
                .limit(500)
            )
            if _run_key(row[5], row[6]) == key
        ][:10]
        for run_id, state, start, end, _ in rows:
            runs.append(
                {
                    "dag_id": task.dag_id,
                    "task_id": task.task_id,
                    "run_id": run_id,
                    "state": state,
                    "start_date": iso(start),
                    "end_date": iso(end),
                }
            )
        if rows and not checks:
            report = session.scalar(
                select(X.value).where(
                    X.dag_run_id == rows[0][4], X.task_id == task.task_id, X.key == XCOM_KEY
                )
            )
            record = read_run_record(report, f"task {task.task_id!r} of {task.dag_id!r}")
            if record is not None:
                checks = [
                    check_json(CheckResult(c, task.dag_id, task.task_id, rows[0][0], None))
                    for c in record.checks
                    if c.asset == node.name
                ]
    return {
        "key": key,
        "materializations": [event_json(e) for e in events],
        "runs": runs,
        "checks": checks,
    }
