"""What happened to assets, from Airflow's metadata DB: asset events, task instances of the
producing tasks, and the step reports our operator pushes to XCom (key ``asset2airflow``: they
hold every check result, also of a failed blocking check, whose asset event is never emitted).

Everything is filtered by ``Visibility``: rows of DAGs the user may not read are dropped, as
Airflow's own API does (an asset event without a source DAG, e.g. created through the REST
API, stays visible to anyone who may read assets).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from asset2airflow.airflow.events import XCOM_KEY
from asset2airflow.plugin.catalog import TaskRef

ACTIVE_STATES = frozenset(
    {
        "running",
        "queued",
        "scheduled",
        "up_for_retry",
        "up_for_reschedule",
        "deferred",
        "restarting",
    }
)
_CHUNK = 500
T = TypeVar("T")


@dataclass(frozen=True)
class Visibility:
    """The DAGs whose runs the user may see. ``unrestricted``: every DAG Airflow knows (queries
    then skip the per-DAG filter, which costs a scan of the events' rows)."""

    readable: frozenset[str]
    unrestricted: bool = False

    def can_read(self, dag_id: str | None) -> bool:
        return self.unrestricted or dag_id is None or dag_id in self.readable


def chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- asset events ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EventSummary:
    count: int
    last_id: int
    last_time: dt.datetime
    partition: str | None
    dag_id: str | None
    run_id: str | None


def event_summaries(
    session: Session, visibility: Visibility, asset_ids: Collection[int] | None = None
) -> dict[int, EventSummary]:
    """Per asset: how many visible events it has and its latest one."""
    from airflow.models.asset import AssetEvent

    # Unrestricted, the (asset_id, timestamp) index answers alone: no need for the rows' DAG.
    source = AssetEvent.asset_id if visibility.unrestricted else AssetEvent.source_dag_id
    query = select(AssetEvent.asset_id, source, func.count(), func.max(AssetEvent.id)).group_by(
        AssetEvent.asset_id, source
    )
    if asset_ids is not None and len(asset_ids) <= _CHUNK:
        query = query.where(AssetEvent.asset_id.in_(list(asset_ids)))
    counts: dict[int, int] = defaultdict(int)
    last: dict[int, int] = {}
    for asset_id, dag_id, count, max_id in session.execute(query):
        if asset_ids is not None and asset_id not in asset_ids:
            continue
        if not visibility.unrestricted and not visibility.can_read(str(dag_id)):
            continue
        counts[asset_id] += count
        last[asset_id] = max(last.get(asset_id, 0), max_id)
    result: dict[int, EventSummary] = {}
    for part in chunks(sorted(last.values())):
        rows = session.execute(
            select(
                AssetEvent.asset_id,
                AssetEvent.id,
                AssetEvent.timestamp,
                AssetEvent.partition_key,
                AssetEvent.source_dag_id,
                AssetEvent.source_run_id,
            ).where(AssetEvent.id.in_(part))
        )
        for asset_id, event_id, timestamp, partition, dag_id, run_id in rows:
            result[asset_id] = EventSummary(
                counts[asset_id], event_id, timestamp, partition, dag_id, run_id
            )
    return result


# --- task instances of producing tasks --------------------------------------------------------


@dataclass(frozen=True)
class TaskActivity:
    last_failure: dt.datetime | None = None
    active: bool = False


def task_activity(
    session: Session, tasks: Iterable[TaskRef], visibility: Visibility
) -> dict[TaskRef, TaskActivity]:
    """Per producing task: when it last failed, and whether a try is under way."""
    from airflow.models.taskinstance import TaskInstance as TI

    wanted = {t for t in tasks if visibility.can_read(t.dag_id)}
    dag_ids = sorted({t.dag_id for t in wanted})
    failures: dict[TaskRef, dt.datetime] = {}
    active: set[TaskRef] = set()
    for part in chunks(dag_ids):
        rows = session.execute(
            select(TI.dag_id, TI.task_id, TI.state, func.max(TI.end_date), func.max(TI.start_date))
            .where(TI.dag_id.in_(part))
            .where(TI.state.in_(["failed", *ACTIVE_STATES]))
            .group_by(TI.dag_id, TI.task_id, TI.state)
        )
        for dag_id, task_id, state, end_date, start_date in rows:
            task = TaskRef(dag_id, task_id)
            if task not in wanted:
                continue
            if state == "failed":
                moment = end_date or start_date
                if moment is not None:
                    failures[task] = max(failures.get(task, moment), moment)
            else:
                active.add(task)
    return {
        t: TaskActivity(failures.get(t), t in active)
        for t in wanted
        if t in failures or t in active
    }


# --- check results from the step reports in XCom ----------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    asset: str
    name: str
    passed: bool
    severity: str
    blocking: bool
    description: str | None
    metadata: dict[str, Any]
    dag_id: str
    task_id: str
    run_id: str
    partition: str | None
    timestamp: dt.datetime | None

    @property
    def state(self) -> str:
        """``passed``, ``failed`` (severity ERROR) or ``warning`` (severity WARN)."""
        if self.passed:
            return "passed"
        return "warning" if self.severity == "WARN" else "failed"


def step_reports(
    session: Session,
    tasks: Iterable[TaskRef],
    visibility: Visibility,
    per_task: int,
) -> list[tuple[TaskRef, str, str | None, dt.datetime | None, dict[str, Any]]]:
    """The latest ``per_task`` step reports of each task, newest first:
    (task, run id, partition key, time, report)."""
    from airflow.models.dagrun import DagRun
    from airflow.models.xcom import XComModel as X

    wanted = {t for t in tasks if visibility.can_read(t.dag_id)}
    if not wanted:
        return []
    dag_ids = sorted({t.dag_id for t in wanted})
    task_ids = sorted({t.task_id for t in wanted})
    reports = []
    for dag_part in chunks(dag_ids):
        for task_part in chunks(task_ids):
            ranked = (
                select(
                    X.dag_id,
                    X.task_id,
                    X.run_id,
                    X.dag_run_id,
                    X.timestamp,
                    X.value,
                    func.row_number()
                    .over(partition_by=(X.dag_id, X.task_id), order_by=X.dag_run_id.desc())
                    .label("rank"),
                )
                .where(X.key == XCOM_KEY, X.map_index == -1)
                .where(X.dag_id.in_(dag_part), X.task_id.in_(task_part))
                .subquery()
            )
            rows = session.execute(
                select(
                    ranked.c.dag_id,
                    ranked.c.task_id,
                    ranked.c.run_id,
                    ranked.c.timestamp,
                    ranked.c.value,
                    DagRun.partition_key,
                )
                .join(DagRun, DagRun.id == ranked.c.dag_run_id)
                .where(ranked.c.rank <= per_task)
                .order_by(ranked.c.dag_run_id.desc())
            )
            for dag_id, task_id, run_id, timestamp, value, partition in rows:
                task = TaskRef(dag_id, task_id)
                report = _json_value(value)
                if task in wanted and isinstance(report, dict):
                    reports.append((task, run_id, partition, timestamp, report))
    epoch = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    reports.sort(key=lambda r: r[3] or epoch, reverse=True)
    return reports


def check_results(
    session: Session, tasks: Iterable[TaskRef], visibility: Visibility, per_task: int = 3
) -> list[CheckResult]:
    """Check results in the latest step reports of ``tasks``, newest first."""
    results = []
    for task, run_id, partition, timestamp, report in step_reports(
        session, tasks, visibility, per_task
    ):
        results.extend(results_in(report, task, run_id, partition, timestamp))
    return results


def results_in(
    report: dict[str, Any],
    task: TaskRef,
    run_id: str,
    partition: str | None,
    timestamp: dt.datetime | None,
) -> list[CheckResult]:
    found = []
    for check in report.get("checks") or ():
        if not isinstance(check, dict) or "name" not in check:
            continue
        found.append(
            CheckResult(
                asset=str(check.get("asset", "")),
                name=str(check["name"]),
                passed=bool(check.get("passed")),
                severity=str(check.get("severity") or "ERROR"),
                blocking=bool(check.get("blocking")),
                description=None if check.get("description") is None else str(check["description"]),
                metadata=dict(check.get("metadata") or {}),
                dag_id=task.dag_id,
                task_id=task.task_id,
                run_id=run_id,
                partition=partition,
                timestamp=timestamp,
            )
        )
    return found


def _json_value(value: Any) -> Any:
    if isinstance(value, (str, bytes)):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def latest_by_check(results: Iterable[CheckResult]) -> dict[tuple[str, str], CheckResult]:
    """The newest result of each (asset, check); ``results`` newest first."""
    latest: dict[tuple[str, str], CheckResult] = {}
    for result in results:
        latest.setdefault((result.asset, result.name), result)
    return latest


def worst(states: Iterable[str]) -> str | None:
    order = {"failed": 3, "warning": 2, "passed": 1}
    found = [s for s in states if s in order]
    return max(found, key=lambda s: order[s]) if found else None
