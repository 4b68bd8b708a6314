"""Partitions on a real ``airflow standalone``: the scheduler drives them.

- a daily root triggered for 2024-01-05 runs the downstream daily DAG for the same key;
- a Monday-week rollup runs once all 7 days of its week landed, not before;
- a 3-day backfill (``asset2airflow backfill``, Airflow's backfill API) writes 3 partitions;
- a dynamic partition first run at the root is materialized downstream.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from asset2airflow.testing.standalone import AirflowStandalone, wait_until

pytestmark = pytest.mark.e2e

DAYS = """
from asset2airflow import (AssetExecutionContext, DailyPartitionsDefinition, Definitions,
                           DynamicPartitionsDefinition, WeeklyPartitionsDefinition, asset)
from asset2airflow.airflow import build_dags

days = DailyPartitionsDefinition(start_date="2024-01-01")
uploads = DynamicPartitionsDefinition("e2e_uploads")


@asset(group_name="e2e_days", partitions_def=days)
def e2e_daily_events(context: AssetExecutionContext) -> str:
    return f"events of {context.partition_key}"


@asset(group_name="e2e_days_downstream", partitions_def=days)
def e2e_daily_summary(context: AssetExecutionContext, e2e_daily_events: str) -> str:
    assert e2e_daily_events == f"events of {context.partition_key}", e2e_daily_events
    return e2e_daily_events.upper()


@asset(
    group_name="e2e_weeks",
    partitions_def=WeeklyPartitionsDefinition(start_date="2024-01-01", day_offset=1),
)
def e2e_weekly_totals(context: AssetExecutionContext, e2e_daily_events: dict) -> list:
    context.log.info("week %s from days %s", context.partition_key, sorted(e2e_daily_events))
    return sorted(e2e_daily_events)


@asset(group_name="e2e_backfill", partitions_def=days)
def e2e_backfilled(context: AssetExecutionContext) -> str:
    return context.partition_key


@asset(group_name="e2e_uploads", partitions_def=uploads)
def e2e_upload(context: AssetExecutionContext) -> str:
    return f"bytes of {context.partition_key}"


@asset(group_name="e2e_upload_sizes", partitions_def=uploads)
def e2e_upload_size(e2e_upload: str) -> int:
    return len(e2e_upload)


build_dags(Definitions(assets=[e2e_daily_events, e2e_daily_summary, e2e_weekly_totals,
                               e2e_backfilled, e2e_upload, e2e_upload_size]))
"""

DAG_IDS = (
    "e2e_days",
    "e2e_days_downstream",
    "e2e_weeks",
    "e2e_backfill",
    "e2e_uploads",
    "e2e_upload_sizes",
)


@pytest.fixture(scope="module")
def airflow(airflow_standalone: AirflowStandalone) -> AirflowStandalone:
    (airflow_standalone.dags_folder / "e2e_partitions.py").write_text(textwrap.dedent(DAYS))
    for dag_id in DAG_IDS:
        airflow_standalone.wait_for_dag(dag_id)
    return airflow_standalone


def storage(airflow: AirflowStandalone, asset: str) -> Path:
    return airflow.home / "asset2airflow" / "storage" / f"{asset}.partitions"


def stored_keys(airflow: AirflowStandalone, asset: str) -> set[str]:
    folder = storage(airflow, asset)
    if not folder.is_dir():
        return set()
    return {p.name.removesuffix(".pickle") for p in folder.iterdir()}


def finished_runs(airflow: AirflowStandalone, dag_id: str, key: str) -> list[dict[str, Any]]:
    return [
        r
        for r in airflow.runs(dag_id)
        if r.get("partition_key") == key and r["state"] in ("success", "failed")
    ]


def test_daily_root_triggers_downstream_for_the_same_key(airflow: AirflowStandalone) -> None:
    run_id = airflow.trigger("e2e_days", partition_key="2024-01-05")
    run = airflow.wait_for_run("e2e_days", run_id)
    assert run["state"] == "success" and run["partition_key"] == "2024-01-05"
    [downstream] = wait_until(
        "the downstream run for 2024-01-05",
        lambda: finished_runs(airflow, "e2e_days_downstream", "2024-01-05"),
    )
    assert downstream["state"] == "success"
    assert downstream["run_type"] == "asset_triggered"
    assert "2024-01-05" in stored_keys(airflow, "e2e_daily_summary")


def test_weekly_rollup_waits_for_all_seven_days(airflow: AirflowStandalone) -> None:
    week = [f"2024-01-{day:02d}" for day in range(8, 15)]  # Monday 8th .. Sunday 14th
    for key in week[:6]:
        assert (
            airflow.wait_for_run("e2e_days", airflow.trigger("e2e_days", partition_key=key))[
                "state"
            ]
            == "success"
        )
    time.sleep(10)  # ample time for a (wrong) early rollup to be scheduled
    assert [r for r in airflow.runs("e2e_weeks") if r.get("partition_key") == "2024-01-08"] == []

    last = airflow.trigger("e2e_days", partition_key=week[6])
    assert airflow.wait_for_run("e2e_days", last)["state"] == "success"
    [weekly] = wait_until(
        "the weekly rollup for 2024-01-08",
        lambda: finished_runs(airflow, "e2e_weeks", "2024-01-08"),
    )
    assert weekly["state"] == "success"
    assert "2024-01-08" in stored_keys(airflow, "e2e_weekly_totals")


def test_three_day_backfill_writes_three_partitions(airflow: AirflowStandalone) -> None:
    env = {**os.environ, "AIRFLOW_HOME": str(airflow.home)}
    command = [sys.executable, "-m", "asset2airflow.cli.main", "backfill", "--dag", "e2e_backfill"]
    command += ["--from", "2024-02-01", "--to", "2024-02-03", "--url", airflow.url]
    created = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert created.returncode == 0, created.stderr
    wanted = {"2024-02-01", "2024-02-02", "2024-02-03"}

    def done() -> bool:
        runs = [r for r in airflow.runs("e2e_backfill") if r["run_type"] == "backfill"]
        return len(runs) == 3 and all(r["state"] == "success" for r in runs)

    wait_until("the 3 backfill runs", done, timeout=180)
    backfill_keys = {
        r["partition_key"] for r in airflow.runs("e2e_backfill") if r["run_type"] == "backfill"
    }
    assert backfill_keys == wanted
    assert {k for k in stored_keys(airflow, "e2e_backfilled") if k.startswith("2024")} == wanted


def test_dynamic_partition_added_at_run_time_is_materialized_downstream(
    airflow: AirflowStandalone,
) -> None:
    run_id = airflow.trigger("e2e_uploads", partition_key="img-7.png")
    assert airflow.wait_for_run("e2e_uploads", run_id)["state"] == "success"
    [downstream] = wait_until(
        "the downstream run for img-7.png",
        lambda: finished_runs(airflow, "e2e_upload_sizes", "img-7.png"),
    )
    assert downstream["state"] == "success"
    assert len(list(storage(airflow, "e2e_upload_size").iterdir())) == 1
    events = airflow.client.get(
        "/api/v2/assets/events", params={"name_pattern": "asset2airflow-partitions/e2e_uploads"}
    ).json()["asset_events"]
    assert [e["extra"]["asset2airflow_dynamic_partitions"]["added"] for e in events] == [
        ["img-7.png"]
    ]
