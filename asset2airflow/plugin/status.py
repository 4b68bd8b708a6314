"""The state of each asset as the pages show it, derived from Airflow's rows (``runs``):

- ``materialized``: its latest visible asset event is newer than any failure of its producer;
- ``failed``: a producing task failed after the latest event (a failed blocking check included:
  the task fails and no event is emitted); for a fused task, only if its report says this asset
  failed or was blocked (its other assets keep their state);
- ``running``: a producing task is queued or running;
- ``missing``: produced in Airflow but never materialized;
- ``external``: no task in Airflow produces it (declared with ``AssetSpec`` or produced elsewhere);
- ``hidden``: the user may not read the DAG(s) producing it, so its runs are not shown.

The check state is the worst latest result of the asset's checks (``failed`` > ``warning`` >
``passed``), ``None`` without results.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from asset2airflow.airflow.fused_report import BLOCKED, FAILED
from asset2airflow.airflow.plan import FUSED_TASK_ID
from asset2airflow.plugin.catalog import AssetNode, Catalog, TaskRef
from asset2airflow.plugin.runs import (
    CheckResult,
    EventSummary,
    TaskActivity,
    Visibility,
    check_results,
    event_summaries,
    latest_by_check,
    step_reports,
    task_activity,
    worst,
)


@dataclass(frozen=True)
class AssetStatus:
    state: str
    checks: str | None
    last: EventSummary | None


@dataclass
class Statuses:
    by_asset: dict[int, AssetStatus]
    latest_checks: dict[tuple[str, str], CheckResult]
    """Newest result per (asset name, check name)."""


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
    failed_fused = [t for t, a in activity.items() if a.last_failure and t.task_id == FUSED_TASK_ID]
    fused = fused_statuses(session, failed_fused, visibility)
    with_checks = {t for n in nodes if n.doc and n.doc.checks for t in n.producers}
    latest = latest_by_check(check_results(session, with_checks, visibility))
    check_states: dict[str, list[str]] = {}
    for (asset, _), check in latest.items():
        check_states.setdefault(asset, []).append(check.state)
    result = {}
    for node in nodes:
        check_state = worst(check_states.get(node.name, ()))
        result[node.id] = AssetStatus(
            _state(node, events.get(node.id), activity, visibility, fused),
            check_state,
            events.get(node.id),
        )
    return Statuses(result, latest)


def fused_statuses(
    session: Session, tasks: Collection[TaskRef], visibility: Visibility
) -> dict[TaskRef, dict[str, str]]:
    """Per fused task (``execution="fused"``) among ``tasks``: each asset's status in its latest
    report (see ``asset2airflow.airflow.fused_report``)."""
    result: dict[TaskRef, dict[str, str]] = {}
    for task, _, _, _, report in step_reports(session, tasks, visibility, per_task=1):
        assets = report.get("assets")
        if report.get("execution") == "fused" and isinstance(assets, dict) and task not in result:
            result[task] = {
                str(k): str(v.get("status")) for k, v in assets.items() if isinstance(v, dict)
            }
    return result


def _state(
    node: AssetNode,
    last: EventSummary | None,
    activity: Mapping[TaskRef, TaskActivity],
    visibility: Visibility,
    fused: Mapping[TaskRef, Mapping[str, str]],
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
        # A fused task fails when any of its assets does: only those count as failed.
        and fused.get(t, {}).get(node.name, FAILED) in (FAILED, BLOCKED)
    ]
    if failures and (last is None or max(failures) > last.last_time):
        return "failed"
    return "materialized" if last is not None else "missing"
