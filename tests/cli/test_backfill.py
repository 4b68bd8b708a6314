"""``asset2airflow backfill``: arguments, dates, credentials, the request body Airflow's
``BackfillPostBody`` takes, and what a user sees when no Airflow is running. (Creating a backfill
in a live Airflow is an end-to-end test.)"""

from __future__ import annotations

import io
import json
import urllib.error
from pathlib import Path

import pytest

from asset2airflow.cli.airflow_api import _detail, base_url, credentials
from asset2airflow.cli.backfill import (
    format_created,
    format_dry_run,
    iso_datetime,
    request_body,
)
from asset2airflow.cli.main import _parser
from asset2airflow.errors import Asset2AirflowError
from asset2airflow.testing.standalone import free_port
from tests.cli.test_cli import run_cli


def _args(*extra: str) -> list[str]:
    return [
        "backfill",
        "--dag",
        "sales_daily",
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-03",
        *extra,
    ]


def test_defaults_and_request_body() -> None:
    args = _parser().parse_args(_args())
    assert (args.url, args.user, args.password, args.dry_run) == (None, None, None, False)
    assert request_body(args) == {
        "dag_id": "sales_daily",
        "from_date": "2024-01-01T00:00:00+00:00",
        "to_date": "2024-01-03T00:00:00+00:00",
        "reprocess_behavior": "none",
        "max_active_runs": 10,
        "run_backwards": False,
        "dag_run_conf": {},
    }
    args = _parser().parse_args(
        _args("--reprocess-behavior", "failed", "--max-active-runs", "3", "--dry-run")
    )
    body = request_body(args)
    assert (body["reprocess_behavior"], body["max_active_runs"], args.dry_run) == (
        "failed",
        3,
        True,
    )


def test_body_has_exactly_the_fields_airflow_accepts() -> None:
    from airflow.api_fastapi.core_api.datamodels.backfills import BackfillPostBody

    body = request_body(_parser().parse_args(_args("--from", "2024-01-01T06:30:00+02:00")))
    parsed = BackfillPostBody.model_validate(body)  # a strict model: unknown fields are refused
    assert parsed.from_date.isoformat() == "2024-01-01T06:30:00+02:00"
    assert parsed.reprocess_behavior.value == "none"


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("2024-01-01", "2024-01-01T00:00:00+00:00"),
        ("2024-01-01T06:00:00", "2024-01-01T06:00:00+00:00"),
        ("2024-01-01T06:00:00Z", "2024-01-01T06:00:00+00:00"),
        ("2024-01-01 06:00:00+02:00", "2024-01-01T06:00:00+02:00"),
    ],
)
def test_dates_become_iso_datetimes_with_an_offset(given: str, sent: str) -> None:
    assert iso_datetime(given, "--from") == sent


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    with pytest.raises(Asset2AirflowError, match=r"--to '2024-13-01' is neither a date nor"):
        iso_datetime("2024-13-01", "--to")
    bad_date = run_cli(*_args("--to", "next tuesday"), home=tmp_path)
    assert bad_date.returncode == 2
    assert bad_date.stderr == (
        "error: --to 'next tuesday' is neither a date nor an ISO datetime; use e.g. 2024-01-01 "
        "(midnight UTC) or 2024-01-01T06:00:00+00:00\n"
    )
    for extra, message in [
        (["--reprocess-behavior", "all"], "invalid choice: 'all'"),
        (["--max-active-runs", "0"], "--max-active-runs: 0 is not at least 1"),
    ]:
        refused = run_cli(*_args(*extra), home=tmp_path)
        assert refused.returncode == 2 and message in refused.stderr
    missing = run_cli("backfill", "--dag", "sales_daily", "--from", "2024-01-01", home=tmp_path)
    assert missing.returncode == 2 and "the following arguments are required: --to" in (
        missing.stderr
    )
    bad_url = run_cli(*_args("--url", "localhost:8080"), home=tmp_path)
    assert bad_url.returncode == 2 and "must start with http:// or https://" in bad_url.stderr


def test_url_and_credentials_defaults(tmp_path: Path) -> None:
    assert base_url(None, {}) == "http://localhost:8080"
    assert base_url(None, {"AIRFLOW_URL": "http://af:9090/"}) == "http://af:9090"
    assert base_url("https://airflow.example.com", {"AIRFLOW_URL": "http://x"}) == (
        "https://airflow.example.com"
    )
    env = {"AIRFLOW_HOME": str(tmp_path)}
    missing = credentials(None, None, env)
    assert (missing.user, missing.password) == ("admin", "")
    assert "simple_auth_manager_passwords.json.generated not found" in missing.source
    (tmp_path / "simple_auth_manager_passwords.json.generated").write_text(
        json.dumps({"admin": "s3cret", "viewer": "v"})
    )
    assert (credentials(None, None, env).user, credentials(None, None, env).password) == (
        "admin",
        "s3cret",
    )
    assert credentials("viewer", None, env).password == "v"
    from_env = credentials(None, None, {**env, "AIRFLOW_USER": "bob", "AIRFLOW_PASSWORD": "pw"})
    assert (from_env.user, from_env.password, from_env.source) == ("bob", "pw", "$AIRFLOW_PASSWORD")
    given = credentials("carol", "given", {**env, "AIRFLOW_PASSWORD": "pw"})
    assert (given.user, given.password) == ("carol", "given")


def test_connection_refused_names_the_url_and_how_to_start_airflow(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli(*_args("--url", url), home=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: cannot connect to Airflow at {url} (connection refused): start Airflow "
        "(`make demo`), or give its address with --url or AIRFLOW_URL\n"
    )
    from_env = run_cli(*_args("--dry-run"), home=tmp_path, env={"AIRFLOW_URL": url})
    assert from_env.returncode == 1 and f"at {url} (connection refused)" in from_env.stderr


def test_airflow_detail_is_one_line() -> None:
    def error(body: object) -> urllib.error.HTTPError:
        raw = json.dumps(body).encode()
        return urllib.error.HTTPError("http://x", 422, "Unprocessable", {}, io.BytesIO(raw))  # type: ignore[arg-type]

    assert _detail(error({"detail": "from_date must not be\nafter to_date"})) == (
        "from_date must not be after to_date"
    )
    validation = {
        "detail": [
            {"type": "datetime_parsing", "loc": ["body", "from_date"], "msg": "Input is bad"},
            {"type": "missing", "loc": ["body", "dag_id"], "msg": "Field required"},
        ]
    }
    assert _detail(error(validation)) == "from_date: Input is bad; dag_id: Field required"


def test_created_and_dry_run_output() -> None:
    created = {
        "id": 7,
        "dag_id": "sales_daily",
        "from_date": "2024-01-01T00:00:00Z",
        "to_date": "2024-01-03T00:00:00Z",
        "reprocess_behavior": "none",
        "max_active_runs": 10,
    }
    assert format_created(created, "http://localhost:8080").startswith(
        "created backfill 7 of DAG 'sales_daily': 2024-01-01T00:00:00Z to 2024-01-03T00:00:00Z"
    )
    body = request_body(_parser().parse_args(_args()))
    dry = {
        "backfills": [
            {"logical_date": "2024-01-01T00:00:00Z", "partition_key": None, "partition_date": None},
            {"logical_date": None, "partition_key": "2024-01-02", "partition_date": None},
        ],
        "total_entries": 2,
    }
    assert format_dry_run("sales_daily", body, dry).splitlines() == [
        "dry run: a backfill of DAG 'sales_daily' from 2024-01-01T00:00:00+00:00 to "
        "2024-01-03T00:00:00+00:00 would create 2 runs:",
        "  logical date 2024-01-01T00:00:00Z",
        "  partition 2024-01-02",
    ]
