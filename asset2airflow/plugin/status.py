"""The state of each asset as the pages show it, derived from Airflow's rows (``runs``):

- ``materialized``: its latest visible asset event is newer than any failure of its producer;
- ``failed``: a producing task failed after the latest event (a failed blocking check included:
  the task fails and no event is emitted), unless the task's run record says this asset did not
  fail (a fused task's other assets keep their state);
- ``running``: a producing task is queued or running;
- ``missing``: produced in Airflow but never materialized;
- ``external``: no task in Airflow produces it (declared with ``AssetSpec`` or produced elsewhere);
- ``hidden``: the user may not read the DAG(s) producing it, so its runs are not shown.

The check state is the worst latest result of the asset's checks (``failed`` > ``warning`` >
``passed``), also counting, for a partitioned asset, each partition's latest result: a check
that failed on partition ``b`` is failed though a later run of ``c`` passed. ``None`` without
results.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from asset2airflow.airflow.record import AssetStatus
from asset2airflow.plugin.catalog import AssetNode, Catalog, TaskRef
from asset2airflow.plugin.runs import (
    CheckResult,
    EventSummary,
    TaskActivity,
    Visibility,
    check_results,
    event_summaries,
    failing_partitions,
    latest_by_check,
    step_reports,
    task_activity,
    worst,
)

_FAILED = (AssetStatus.FAILED, AssetStatus.BLOCKED)


@dataclass(frozen=True)
class AssetState:
    state: str
    checks: str | None
    last: EventSummary | None


@dataclass
class Statuses:
    by_asset: dict[int, AssetState]
    latest_checks: dict[tuple[str, str], CheckResult]
    """Newest result per (asset name, check name)."""
    failing: dict[tuple[str, str], dict[str, CheckResult]]
    """Per (asset name, check name): partitions whose latest result did not pass."""

    def check_json(self, asset: str, check: str) -> dict[str, Any]:
        """``failed_partitions``: the partitions whose latest result of the check did not pass
        (sorted keys), and ``state``: the worst of those and the latest result (``None``: never
        ran)."""
        failing = self.failing.get((asset, check), {})
        latest = self.latest_checks.get((asset, check))
        states = [r.state for r in failing.values()] + ([latest.state] if latest else [])
        return {"failed_partitions": sorted(failing), "state": worst(states)}


def statuses(
    session: Session,
    catalog: Catalog,
    visibility: Visibility,
    asset_ids: Collection[int] | None = None,
) -> Statuses:
    nodes = [catalog.assets[i] for i in (asset_ids if asset_ids is not None else catalog.assets)]
    ids = {n.id for n in nodes}
    events = event_summaries(session, visibility, ids if asset_ids is not None else None)
    producers = {t for n in nodes for t in n.producers}
    activity = task_activity(session, producers, visibility)
    # Only a task of several assets (fused, a multi-asset) can fail for some of them: its run
    # record says which. A task of one asset that failed, failed that asset.
    assets_of: dict[TaskRef, int] = {}
    for node in catalog.assets.values():
        for task in node.producers:
            assets_of[task] = assets_of.get(task, 0) + 1
    failed_tasks = [t for t, a in activity.items() if a.last_failure and assets_of.get(t, 0) > 1]
    reported = reported_statuses(session, failed_tasks, visibility)
    with_checks = {t for n in nodes if n.doc and n.doc.checks for t in n.producers}
    latest = latest_by_check(check_results(session, with_checks, visibility))
    partitioned = {
        t for n in nodes if n.doc and n.doc.checks and n.doc.partitions for t in n.producers
    }
    failing = failing_partitions(session, partitioned, visibility)
    check_states: dict[str, list[str]] = {}
    for (asset, _), check in latest.items():
        check_states.setdefault(asset, []).append(check.state)
    for (asset, _), by_partition in failing.items():
        check_states.setdefault(asset, []).extend(r.state for r in by_partition.values())
    result = {}
    for node in nodes:
        check_state = worst(check_states.get(node.name, ()))
        result[node.id] = AssetState(
            _state(node, events.get(node.id), activity, visibility, reported),
            check_state,
            events.get(node.id),
        )
    return Statuses(result, latest, failing)


def reported_statuses(
    session: Session, tasks: Collection[TaskRef], visibility: Visibility
) -> dict[TaskRef, dict[str, AssetStatus]]:
    """Per task among ``tasks``: each asset's status in the task's latest run record."""
    result: dict[TaskRef, dict[str, AssetStatus]] = {}
    for report in step_reports(session, tasks, visibility, per_task=1):
        result.setdefault(report.task, {a.key: a.status for a in report.record.assets})
    return result


def _state(
    node: AssetNode,
    last: EventSummary | None,
    activity: Mapping[TaskRef, TaskActivity],
    visibility: Visibility,
    reported: Mapping[TaskRef, Mapping[str, AssetStatus]],
) -> str:
    if not node.producers:
        return "materialized" if last is not None else "external"
    readable = [t for t in node.producers if visibility.can_read(t.dag_id)]
    if not readable:
        return "hidden"
    done = [activity[t] for t in readable if t in activity]
    if any(a.active for a in done):
        return "running"
    failures = [
        failure
        for t in readable
        if t in activity
        and (failure := activity[t].last_failure) is not None
        # A task of several assets (fused) fails when any does: only those count as failed.
        and reported.get(t, {}).get(node.name, AssetStatus.FAILED) in _FAILED
    ]
    if failures and (last is None or max(failures) > last.last_time):
        return "failed"
    return "materialized" if last is not None else "missing"
