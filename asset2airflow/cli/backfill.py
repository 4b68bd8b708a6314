"""``asset2airflow backfill``: create an Airflow backfill through a running Airflow's REST API.

Airflow 3's public API: ``POST /auth/token`` for a JWT, then ``POST /api/v2/backfills`` (or
``/api/v2/backfills/dry_run``) with ``BackfillPostBody``. Standard library only, and no asset
file is imported: the DAG is whatever Airflow has parsed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asset2airflow.errors import Asset2AirflowError

DEFAULT_URL = "http://localhost:8080"
DEFAULT_USER = "admin"
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"
REPROCESS_BEHAVIORS = ("none", "failed", "completed")
TIMEOUT = 60.0


class AirflowRequestError(Exception):
    """Airflow could not be reached or refused a request; the message is one line."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        """The HTTP status Airflow answered; ``None`` when it did not answer."""


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
    parser.add_argument("--url", help=f"Airflow's URL (default: $AIRFLOW_URL or {DEFAULT_URL})")
    parser.add_argument("--user", help=f"user (default: $AIRFLOW_USER or {DEFAULT_USER})")
    parser.add_argument(
        "--password",
        help=f"password (default: $AIRFLOW_PASSWORD, else the user's in $AIRFLOW_HOME/"
        f"{PASSWORDS_FILE}, written by airflow standalone)",
    )
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


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    source: str
    """Where the password came from, for error messages."""


def credentials(
    user: str | None, password: str | None, environ: dict[str, str] | None = None
) -> Credentials:
    """``--user``/``--password``, else ``AIRFLOW_USER``/``AIRFLOW_PASSWORD``, else ``admin`` and
    its password in ``$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated``."""
    env = dict(os.environ) if environ is None else environ
    name = user or env.get("AIRFLOW_USER") or DEFAULT_USER
    if password is not None:
        return Credentials(name, password, "--password")
    if env.get("AIRFLOW_PASSWORD"):
        return Credentials(name, env["AIRFLOW_PASSWORD"], "$AIRFLOW_PASSWORD")
    home = Path(env.get("AIRFLOW_HOME") or Path.home() / "airflow")
    path = home / PASSWORDS_FILE
    try:
        passwords = json.loads(path.read_text())
    except (OSError, ValueError):
        return Credentials(name, "", f"no password: {path} not found or not JSON")
    found = passwords.get(name) if isinstance(passwords, dict) else None
    if not isinstance(found, str):
        return Credentials(name, "", f"no password: {path} has none for {name!r}")
    return Credentials(name, found, str(path))


def base_url(url: str | None, environ: dict[str, str] | None = None) -> str:
    env = dict(os.environ) if environ is None else environ
    chosen = (url or env.get("AIRFLOW_URL") or DEFAULT_URL).rstrip("/")
    if not chosen.startswith(("http://", "https://")):
        raise Asset2AirflowError(
            f"Airflow URL {chosen!r} must start with http:// or https://, e.g. {DEFAULT_URL}"
        )
    return chosen


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


def post_json(base: str, path: str, body: dict[str, Any], token: str | None = None) -> Any:
    """POST ``body`` as JSON to ``base + path``; the decoded JSON answer. Raises
    ``AirflowRequestError`` with Airflow's ``detail`` on an HTTP error, or saying which Airflow
    could not be reached."""
    url = base + path
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise AirflowRequestError(
            f"Airflow answered {exc.code} {exc.reason} to POST {path}: {_detail(exc)}", exc.code
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError):
            raise AirflowRequestError(
                f"cannot connect to Airflow at {base} (connection refused): start Airflow "
                "(`make demo`), or give its address with --url or AIRFLOW_URL"
            ) from None
        raise AirflowRequestError(
            f"cannot reach Airflow at {base} ({reason}): is Airflow running (`make demo`) and "
            "--url / AIRFLOW_URL right?"
        ) from None
    except (TimeoutError, ConnectionError) as exc:
        raise AirflowRequestError(f"no answer from Airflow at {base} to {path} ({exc})") from None
    except ValueError as exc:  # not JSON
        raise AirflowRequestError(
            f"Airflow at {base} did not answer JSON to {path} ({exc})"
        ) from None


def _detail(exc: urllib.error.HTTPError) -> str:
    """Airflow's ``detail``: a message, or FastAPI's list of validation errors."""
    try:
        raw = exc.read().decode(errors="replace")
    except OSError:
        raw = ""
    try:
        detail = json.loads(raw).get("detail", raw)
    except (ValueError, AttributeError):
        detail = raw or exc.reason
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict) and "msg" in item:
                where = ".".join(str(p) for p in item.get("loc", ())[1:])
                parts.append(f"{where}: {item['msg']}" if where else str(item["msg"]))
            else:
                parts.append(str(item))
        detail = "; ".join(parts)
    elif not isinstance(detail, str):
        detail = json.dumps(detail)
    return " ".join(str(detail).split())[:1000]


def token(url: str, creds: Credentials) -> str:
    """A JWT for ``creds`` from ``POST /auth/token``."""
    try:
        answer = post_json(url, "/auth/token", {"username": creds.user, "password": creds.password})
    except AirflowRequestError as exc:
        if exc.status in (400, 401):
            raise AirflowRequestError(
                f"{exc} (user {creds.user!r}, password from {creds.source}); pass --user and "
                "--password, set AIRFLOW_USER/AIRFLOW_PASSWORD, or set AIRFLOW_HOME to the "
                f"Airflow home holding {PASSWORDS_FILE} (`make demo` uses .airflow in this repo)"
            ) from None
        raise
    access = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(access, str):
        raise AirflowRequestError(f"POST /auth/token answered no access_token: {answer!r}"[:500])
    return access


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
