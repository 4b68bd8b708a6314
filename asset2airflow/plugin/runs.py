"""What happened to assets, from Airflow's metadata DB: asset events, task instances of the
producing tasks, and the run records our tasks push to XCom (key ``asset2airflow``, read through
``asset2airflow.airflow.record.RunRecord``: they hold every check result with its partition,
also of a failed blocking check, whose asset event is never emitted).

Everything is filtered by ``Visibility``: rows of DAGs the user may not read are dropped, as
Airflow's own API does (an asset event without a source DAG, e.g. created through the REST
API, stays visible to anyone who may read assets).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from asset2airflow.airflow.record import XCOM_KEY, CheckRecord, RecordError, RunRecord
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
_LOG = logging.getLogger(__name__)
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


# --- check results from the run records in XCom -----------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """A check evaluation from a run record, with where it was recorded."""

    record: CheckRecord
    dag_id: str
    task_id: str
    run_id: str
    timestamp: dt.datetime | None

    @property
    def asset(self) -> str:
        return self.record.asset

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def partition(self) -> str | None:
        return self.record.partition

    @property
    def state(self) -> str:
        """``passed``, ``failed`` (severity ERROR) or ``warning`` (severity WARN)."""
        return self.record.state


@dataclass(frozen=True)
class RunReport:
    """One run record in XCom and where it was written."""

    task: TaskRef
    run_id: str
    run_pk: int
    timestamp: dt.datetime | None
    record: RunRecord

    def check_results(self) -> list[CheckResult]:
        return [
            CheckResult(c, self.task.dag_id, self.task.task_id, self.run_id, self.timestamp)
            for c in self.record.checks
        ]


def read_run_record(value: Any, where: str) -> RunRecord | None:
    """The run record in an XCom value; ``None`` (logged) when it cannot be read."""
    try:
        return RunRecord.from_json(_json_value(value), f"run record of {where}")
    except RecordError as exc:
        _LOG.warning("%s", exc)
        return None


def step_reports(
    session: Session,
    tasks: Iterable[TaskRef],
    visibility: Visibility,
    per_task: int,
) -> list[RunReport]:
    """The latest ``per_task`` run records of each task, newest first."""
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
                    ranked.c.dag_run_id,
                    ranked.c.timestamp,
                    ranked.c.value,
                )
                .where(ranked.c.rank <= per_task)
                .order_by(ranked.c.dag_run_id.desc())
            )
            reports.extend(_reports(rows, wanted))
    return _newest_first(reports)


_PARSED: dict[tuple[str, str, int, Any], RunRecord | None] = {}
"""Run records already read, by (DAG, task, run, write time): a record is written once per
try, so a new try (or a cleared task) has a new write time. Emptied when it grows too big."""
_PARSED_MAX = 50_000


def _reports(rows: Iterable[Any], wanted: Collection[TaskRef]) -> list[RunReport]:
    found = []
    for dag_id, task_id, run_id, run_pk, timestamp, value in rows:
        task = TaskRef(dag_id, task_id)
        if task not in wanted:
            continue
        key = (dag_id, task_id, run_pk, timestamp)
        if key in _PARSED:
            record = _PARSED[key]
        else:
            record = read_run_record(value, f"task {task_id!r} of {dag_id!r}, run {run_id!r}")
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.clear()
            _PARSED[key] = record
        if record is not None:
            found.append(RunReport(task, run_id, run_pk, timestamp, record))
    return found


def _newest_first(reports: list[RunReport]) -> list[RunReport]:
    epoch = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return sorted(reports, key=lambda r: (r.timestamp or epoch, r.run_pk), reverse=True)


def check_results(
    session: Session, tasks: Iterable[TaskRef], visibility: Visibility, per_task: int = 3
) -> list[CheckResult]:
    """Check results in the latest run records of ``tasks``, newest first."""
    return [
        result
        for report in step_reports(session, tasks, visibility, per_task)
        for result in report.check_results()
    ]


_FAILING_CACHE: dict[TaskRef, tuple[tuple[Any, ...], dict[tuple[str, str, str], CheckResult]]] = {}
_FAILING_LOCK = threading.Lock()


def failing_partitions(
    session: Session, tasks: Iterable[TaskRef], visibility: Visibility
) -> dict[tuple[str, str], dict[str, CheckResult]]:
    """Per (asset, check): the partitions whose latest result of the check did not pass, with
    that result. Only run records whose JSON holds ``"passed": false`` can hold a failed check:
    those are read, then the newer records of the same partitions, which may have passed
    since. Cached per task until its records change (count, newest run, newest write)."""
    from airflow.models.xcom import XComModel as X

    wanted = sorted(
        {t for t in tasks if visibility.can_read(t.dag_id)}, key=lambda t: (t.dag_id, t.task_id)
    )
    found: dict[tuple[str, str], dict[str, CheckResult]] = {}
    for task in wanted:
        signature = tuple(
            session.execute(
                select(func.count(), func.max(X.dag_run_id), func.max(X.timestamp)).where(
                    *_records_of(task)
                )
            ).one()
        )
        with _FAILING_LOCK:
            cached = _FAILING_CACHE.get(task)
        if cached is None or cached[0] != signature:
            cached = (signature, _failing_of(session, task))
            with _FAILING_LOCK:
                _FAILING_CACHE[task] = cached
        for (asset, name, partition), result in cached[1].items():
            found.setdefault((asset, name), {})[partition] = result
    return found


def _records_of(task: TaskRef) -> tuple[Any, ...]:
    from airflow.models.xcom import XComModel as X

    return (
        X.key == XCOM_KEY,
        X.map_index == -1,
        X.dag_id == task.dag_id,
        X.task_id == task.task_id,
    )


def _failing_of(session: Session, task: TaskRef) -> dict[tuple[str, str, str], CheckResult]:
    """(asset, check, partition) -> the latest result, for those that did not pass."""
    from airflow.models.dagrun import DagRun
    from airflow.models.xcom import XComModel as X

    mine = _records_of(task)
    columns = (X.dag_id, X.task_id, X.run_id, X.dag_run_id, X.timestamp, X.value)
    text = cast(X.value, String)
    failed = or_(text.like('%"passed": false%'), text.like('%"passed":false%'))
    suspects = _reports(session.execute(select(*columns).where(*mine, failed)), {task})
    partitions = {c.partition for r in suspects for c in r.record.checks if not c.passed}
    partitions.discard(None)
    if not partitions:
        return {}
    oldest = min(r.run_pk for r in suspects)
    # Newer runs of the same partitions (or of a partition given as a param, which Airflow
    # does not know: ``partition_key`` NULL); not every newer record of the task.
    newer = _reports(
        session.execute(
            select(*columns)
            .join(DagRun, DagRun.id == X.dag_run_id)
            .where(*mine, X.dag_run_id > oldest)
            .where(
                or_(
                    DagRun.partition_key.in_(sorted(str(p) for p in partitions)),
                    DagRun.partition_key.is_(None),
                )
            )
        ),
        {task},
    )
    by_pk = {r.run_pk: r for r in [*suspects, *newer]}
    latest: dict[tuple[str, str, str], CheckResult] = {}
    for run_pk in sorted(by_pk):  # ascending: the latest result of a partition wins
        for result in by_pk[run_pk].check_results():
            if result.partition in partitions:
                latest[(result.asset, result.name, str(result.partition))] = result
    return {k: r for k, r in sorted(latest.items()) if r.state != "passed"}


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


def worst(states: Iterable[str | None]) -> str | None:
    order = {"failed": 3, "warning": 2, "passed": 1}
    found = [s for s in states if s in order]
    return max(found, key=lambda s: order[str(s)]) if found else None
