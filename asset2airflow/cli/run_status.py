"""``asset2airflow status --dag DAG [--run RUN_ID]``: what each asset of a DAG run did, read from
a running Airflow's REST API (task instances, and the run record each task pushes to XCom,
read through ``asset2airflow.airflow.record.RunRecord``, which imports no Airflow). Every task,
fused or per asset, reports each asset it is responsible for; no asset file is imported.
"""

from __future__ import annotations

import argparse
import sys
import urllib.parse
from typing import Any

from asset2airflow.airflow.record import XCOM_KEY, AssetStatus, RecordError, RunRecord
from asset2airflow.cli.airflow_api import (
    AirflowRequestError,
    add_connection_arguments,
    base_url,
    credentials,
    get_json,
    token,
)

_ENDED = ("success", "failed", "upstream_failed", "skipped", "removed")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dag", required=True, dest="dag_id", help="the DAG id")
    parser.add_argument("--run", dest="run_id", help="the run id (default: the latest run)")
    add_connection_arguments(parser)


def _quoted(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def asset_rows(task_id: str, state: str | None, report: Any) -> list[tuple[str, str, str, str]]:
    """(asset, status, task, detail) rows of one task instance and its run record (``None``:
    the task pushed none, e.g. it did not get to run its assets)."""
    if report is None:
        return [("-", str(state or "none"), task_id, "")]
    try:
        record = RunRecord.from_json(report, f"run record of task {task_id!r}")
    except RecordError as exc:
        return [("-", str(state or "none"), task_id, str(exc))]
    if not record.assets:
        return [("-", str(state or "none"), task_id, record.error or "")]
    rows = []
    for asset in sorted(record.assets, key=lambda a: a.key):
        detail = asset.error or ""
        if asset.try_number:
            detail = f"try {asset.try_number}" + (f": {detail}" if detail else "")
        rows.append((asset.key, asset.status.value, task_id, detail))
    return rows


_FINE = {AssetStatus.MATERIALIZED.value, AssetStatus.NOT_SELECTED.value, "success", "skipped"}


def run(args: argparse.Namespace) -> int:
    """Exit code: 0 when every asset of the run materialized (or was not selected), 1 when
    something failed or Airflow could not be asked."""
    url = base_url(args.url)
    try:
        jwt = token(url, credentials(args.user, args.password))
        dag = _quoted(args.dag_id)
        if args.run_id is None:
            runs = get_json(url, f"/api/v2/dags/{dag}/dagRuns", jwt, order_by="-run_after", limit=1)
            found = runs.get("dag_runs") if isinstance(runs, dict) else None
            if not found:
                print(f"error: DAG {args.dag_id!r} has no runs yet", file=sys.stderr)
                return 1
            dag_run = found[0]
        else:
            dag_run = get_json(url, f"/api/v2/dags/{dag}/dagRuns/{_quoted(args.run_id)}", jwt)
        run_path = f"/api/v2/dags/{dag}/dagRuns/{_quoted(dag_run['dag_run_id'])}"
        rows = []
        for instance in _task_instances(url, run_path, jwt):
            task_id, state = instance["task_id"], instance.get("state")
            report = None
            if state in _ENDED and instance.get("map_index", -1) == -1:
                try:
                    entry = get_json(
                        url,
                        f"{run_path}/taskInstances/{_quoted(task_id)}/xcomEntries/{XCOM_KEY}",
                        jwt,
                        deserialize="true",
                    )
                    report = entry.get("value") if isinstance(entry, dict) else None
                except AirflowRequestError as exc:
                    if exc.status != 404:  # no report: the task did not get to run its assets
                        raise
            rows.extend(asset_rows(task_id, state, report))
    except AirflowRequestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"DAG {args.dag_id}  run {dag_run['dag_run_id']}  state {dag_run.get('state')}"
        + (f"  partition {dag_run['partition_key']}" if dag_run.get("partition_key") else "")
    )
    print(format_rows(rows))
    bad = [r for r in rows if r[1] not in _FINE]
    return 1 if bad or dag_run.get("state") == "failed" else 0


def _task_instances(url: str, run_path: str, jwt: str) -> list[dict[str, Any]]:
    """Every task instance of the run (Airflow answers at most a page of 100 per request)."""
    found: list[dict[str, Any]] = []
    while True:
        page = get_json(url, f"{run_path}/taskInstances", jwt, limit=100, offset=len(found))
        items = page.get("task_instances", []) if isinstance(page, dict) else []
        found.extend(items)
        if not items or len(found) >= int(page.get("total_entries", 0)):
            return found


def format_rows(rows: list[tuple[str, str, str, str]]) -> str:
    header = ("asset", "status", "task", "detail")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    lines = []
    for row in [header, *rows]:
        cells = [row[i].ljust(widths[i]) for i in range(3)]
        lines.append("  ".join([*cells, row[3][:200]]).rstrip())
    return "\n".join(lines)
