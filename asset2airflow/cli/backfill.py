"""``asset2airflow backfill``: create an Airflow backfill through a running Airflow's REST API.

Airflow 3's public API: ``POST /auth/token`` for a JWT, then ``POST /api/v2/backfills`` (or
``/api/v2/backfills/dry_run``) with ``BackfillPostBody``. Standard library only, and no asset
file is imported: the DAG is whatever Airflow has parsed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from asset2airflow.cli.airflow_api import (
    AirflowRequestError,
    add_connection_arguments,
    base_url,
    credentials,
    post_json,
    token,
)
from asset2airflow.errors import Asset2AirflowError

REPROCESS_BEHAVIORS = ("none", "failed", "completed")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dag", required=True, dest="dag_id", help="the DAG id to backfill")
    parser.add_argument(
        "--from",
        required=True,
        dest="from_date",
        metavar="DATE",
        help="first logical date: 2024-01-01 (midnight UTC) or an ISO datetime",
    )
    parser.add_argument(
        "--to",
        required=True,
        dest="to_date",
        metavar="DATE",
        help="last logical date, included: 2024-01-31 (midnight UTC) or an ISO datetime",
    )
    add_connection_arguments(parser)
    parser.add_argument(
        "--reprocess-behavior",
        default="none",
        choices=REPROCESS_BEHAVIORS,
        help="which existing runs to run again: none (default), failed, or completed (all)",
    )
    parser.add_argument(
        "--max-active-runs",
        type=_positive_int,
        default=10,
        metavar="N",
        help="at most N backfill runs at once (default 10)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="only print the runs (logical dates, partition keys) Airflow would create",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def iso_datetime(text: str, flag: str) -> str:
    """``2024-01-01`` as midnight UTC, an ISO datetime as given (UTC when it has no offset),
    in ISO format with the offset."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise Asset2AirflowError(
            f"{flag} {text!r} is neither a date nor an ISO datetime; use e.g. 2024-01-01 "
            "(midnight UTC) or 2024-01-01T06:00:00+00:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.isoformat()


def request_body(args: argparse.Namespace) -> dict[str, Any]:
    """``BackfillPostBody`` (airflow/api_fastapi/core_api/datamodels/backfills.py)."""
    return {
        "dag_id": args.dag_id,
        "from_date": iso_datetime(args.from_date, "--from"),
        "to_date": iso_datetime(args.to_date, "--to"),
        "reprocess_behavior": args.reprocess_behavior,
        "max_active_runs": args.max_active_runs,
        "run_backwards": False,
        "dag_run_conf": {},
    }


def run(args: argparse.Namespace) -> int:
    """Exit code: 0 created (or dry run printed), 1 Airflow unreachable or refusing, 2 for bad
    arguments (raised as ``Asset2AirflowError``)."""
    body = request_body(args)
    url = base_url(args.url)
    creds = credentials(args.user, args.password)
    path = "/api/v2/backfills/dry_run" if args.dry_run else "/api/v2/backfills"
    try:
        answer = post_json(url, path, body, token(url, creds))
    except AirflowRequestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.dry_run:
        print(format_dry_run(args.dag_id, body, answer))
    else:
        print(format_created(answer, url))
    return 0


def format_created(answer: Any, url: str) -> str:
    """``BackfillResponse``: its id first."""
    data = answer if isinstance(answer, dict) else {}
    return (
        f"created backfill {data.get('id')} of DAG {data.get('dag_id')!r}: "
        f"{data.get('from_date')} to {data.get('to_date')}, reprocess "
        f"{data.get('reprocess_behavior')}, at most {data.get('max_active_runs')} active runs; "
        f"follow it at {url}/dags/{data.get('dag_id')}"
    )


def format_dry_run(dag_id: str, body: dict[str, Any], answer: Any) -> str:
    """``DryRunBackfillCollectionResponse``: each run's partition key or logical date."""
    runs = answer.get("backfills", []) if isinstance(answer, dict) else []
    head = (
        f"dry run: a backfill of DAG {dag_id!r} from {body['from_date']} to {body['to_date']} "
        f"would create {len(runs)} run{'' if len(runs) == 1 else 's'}"
    )
    if not runs:
        return head + (
            " (the DAG's schedule has no logical date in the range, or each one has a run "
            "that --reprocess-behavior keeps)"
        )
    lines = [head + ":"]
    for item in runs:
        if item.get("partition_key") is not None:
            when = item.get("partition_date") or item.get("logical_date")
            lines.append(f"  partition {item['partition_key']}" + (f"  ({when})" if when else ""))
        else:
            lines.append(f"  logical date {item.get('logical_date')}")
    return "\n".join(lines)
