"""``GET api/checks``: every defined asset check with its latest result (from the run records
in XCom), filterable by state, severity and group. For a partitioned asset a check's state is
the worst of its latest result and each partition's latest result; ``failed_partitions`` lists
the partitions whose latest result did not pass."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from asset2airflow.plugin.catalog import Catalog
from asset2airflow.plugin.runs import (
    Visibility,
    check_results,
    failing_partitions,
    latest_by_check,
)
from asset2airflow.plugin.serialize import iso
from asset2airflow.plugin.status import Statuses

STATES = ("passed", "failed", "warning", "not_run", "hidden")
SEVERITIES = ("ERROR", "WARN")


def checks_overview(
    session: Session,
    catalog: Catalog,
    visibility: Visibility,
    state: str | None = None,
    severity: str | None = None,
    group: str | None = None,
) -> dict[str, Any]:
    nodes = [n for n in catalog.assets.values() if n.doc and n.doc.checks]
    tasks = {t for n in nodes for t in n.producers}
    latest = latest_by_check(check_results(session, tasks, visibility))
    partitioned = {t for n in nodes if n.doc and n.doc.partitions for t in n.producers}
    found = Statuses({}, latest, failing_partitions(session, partitioned, visibility))
    rows = []
    for node in sorted(nodes, key=lambda n: n.name):
        assert node.doc is not None
        hidden = not any(visibility.can_read(t.dag_id) for t in node.producers)
        for check in node.doc.checks:
            result = latest.get((node.name, check.name))
            failing = found.check_json(node.name, check.name)
            rows.append(
                {
                    "asset_id": node.id,
                    "asset": node.name,
                    "group": node.group,
                    "name": check.name,
                    "description": check.description,
                    "blocking": check.blocking,
                    "state": "hidden" if hidden else failing["state"] or "not_run",
                    "failed_partitions": [] if hidden else failing["failed_partitions"],
                    "severity": result.record.severity.value if result else None,
                    "timestamp": iso(result.timestamp) if result else None,
                    "partition": result.partition if result else None,
                    "dag_id": result.dag_id if result else None,
                    "task_id": result.task_id if result else None,
                    "run_id": result.run_id if result else None,
                    "metadata": dict(result.record.metadata) if result else {},
                }
            )
    groups = sorted({str(r["group"]) for r in rows})
    if state:
        rows = [r for r in rows if r["state"] == state]
    if severity:
        rows = [r for r in rows if r["severity"] == severity]
    if group:
        rows = [r for r in rows if r["group"] == group]
    return {
        "checks": rows,
        "groups": groups,
        "states": list(STATES),
        "severities": list(SEVERITIES),
    }
