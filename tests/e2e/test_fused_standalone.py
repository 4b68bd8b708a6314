"""A fused DAG on a real `airflow standalone`: the scheduler retries the failed task, the retry
re-runs only the asset that failed, the events of every asset trigger a downstream DAG once,
and `asset2airflow status` shows each asset with the try that materialized it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from asset2airflow.testing.standalone import AirflowStandalone, wait_until

pytestmark = pytest.mark.e2e

FUSED = """
from pathlib import Path
from asset2airflow import Definitions, asset
from asset2airflow.airflow import build_dags

FAIL_ONCE = Path(__file__).with_name("e2e_fused_fail_once")


@asset(group_name="e2e_fused")
def e2e_fused_root() -> int:
    return 4


@asset(group_name="e2e_fused")
def e2e_fused_flaky(e2e_fused_root: int) -> int:
    if FAIL_ONCE.exists():
        FAIL_ONCE.unlink()
        raise RuntimeError("e2e_fused_flaky fails on its first try")
    return e2e_fused_root * 10


@asset(group_name="e2e_fused")
def e2e_fused_side(e2e_fused_root: int) -> int:
    return e2e_fused_root + 1


build_dags(
    Definitions(assets=[e2e_fused_root, e2e_fused_flaky, e2e_fused_side]),
    execution="fused",
    default_args={"retries": 1, "retry_delay": 0},
)
"""

DOWNSTREAM = """
from asset2airflow import AssetSpec, Definitions, asset
from asset2airflow.airflow import build_dags


@asset(group_name="e2e_fused_downstream")
def e2e_fused_total(e2e_fused_flaky: int, e2e_fused_side: int) -> int:
    return e2e_fused_flaky + e2e_fused_side


build_dags(
    Definitions(assets=[AssetSpec("e2e_fused_flaky"), AssetSpec("e2e_fused_side"), e2e_fused_total])
)
"""


def test_a_fused_dag_retries_only_what_failed_and_triggers_downstream_once(
    airflow_standalone: AirflowStandalone,
) -> None:
    airflow = airflow_standalone
    (airflow.dags_folder / "e2e_fused_fail_once").touch()
    (airflow.dags_folder / "e2e_fused.py").write_text(textwrap.dedent(FUSED))
    (airflow.dags_folder / "e2e_fused_downstream.py").write_text(textwrap.dedent(DOWNSTREAM))
    airflow.wait_for_dag("e2e_fused")
    airflow.wait_for_dag("e2e_fused_downstream")

    run_id = airflow.trigger("e2e_fused")
    assert airflow.wait_for_run("e2e_fused", run_id)["state"] == "success"
    [instance] = airflow.client.get(
        f"/api/v2/dags/e2e_fused/dagRuns/{run_id}/taskInstances"
    ).json()["task_instances"]
    assert instance["task_id"] == "materialize" and instance["try_number"] == 2
    first_try = airflow.client.get(
        f"/api/v2/dags/e2e_fused/dagRuns/{run_id}/taskInstances/materialize/logs/1",
        headers={"Accept": "application/x-ndjson"},
    ).text
    assert "e2e_fused_flaky fails on its first try" in first_try
    retry = airflow.client.get(
        f"/api/v2/dags/e2e_fused/dagRuns/{run_id}/taskInstances/materialize/logs/2",
        headers={"Accept": "application/x-ndjson"},
    ).text
    assert "Resuming: 2 of 3 steps materialized in an earlier try" in retry
    assert "Materialized asset 'e2e_fused_flaky'" in retry
    assert "Materialized asset 'e2e_fused_side'" not in retry

    # One event per asset, emitted by the try that succeeded; the downstream DAG runs once.
    for name in ("e2e_fused_root", "e2e_fused_flaky", "e2e_fused_side"):
        events = airflow.client.get(
            "/api/v2/assets/events", params={"name_pattern": name, "limit": 10}
        ).json()["asset_events"]
        assert [e["source_run_id"] for e in events if e["name"] == name] == [run_id], name
    triggered = wait_until(
        "the downstream DAG's asset-triggered run to finish",
        lambda: [
            r
            for r in airflow.runs("e2e_fused_downstream")
            if r["run_type"] == "asset_triggered" and r["state"] in ("success", "failed")
        ],
    )
    assert [r["state"] for r in triggered] == ["success"]

    status = subprocess.run(
        [sys.executable, "-m", "asset2airflow.cli.main", "status", "--dag", "e2e_fused"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "AIRFLOW_URL": airflow.url,
            "AIRFLOW_USER": "admin",
            "AIRFLOW_PASSWORD": airflow.admin_password(),
        },
    )
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert lines[0].startswith(f"DAG e2e_fused  run {run_id}  state success")
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert rows["e2e_fused_flaky"][1:5] == ["materialized", "materialize", "try", "2"]
    assert rows["e2e_fused_side"][1:5] == ["materialized", "materialize", "try", "1"]


KILLED = """
import os
import signal
import time
from pathlib import Path
from asset2airflow import Definitions, asset
from asset2airflow.airflow import build_dags

HERE = Path(__file__).parent
KILL_ONCE = HERE / "e2e_killed_once"
RAN = HERE / "e2e_killed_ran.log"


def ran(name):
    with RAN.open("a") as f:
        f.write(name + "\\n")


@asset(group_name="e2e_killed")
def e2e_killed_root() -> int:
    ran("root")
    return 1


@asset(group_name="e2e_killed")
def e2e_killed_slow(e2e_killed_root: int) -> int:
    ran("slow")
    time.sleep(2.5)  # longer than the checkpoint interval: what ran so far is saved
    return e2e_killed_root + 1


@asset(group_name="e2e_killed")
def e2e_killed_last(e2e_killed_slow: int) -> int:
    ran("last")
    if KILL_ONCE.exists():
        KILL_ONCE.unlink()
        os.kill(os.getpid(), signal.SIGKILL)  # the task process dies: no record at the end
    return e2e_killed_slow + 1


build_dags(
    Definitions(assets=[e2e_killed_root, e2e_killed_slow, e2e_killed_last]),
    execution="fused",
    default_args={"retries": 1, "retry_delay": 0},
)
"""


def test_a_killed_fused_try_is_resumed_from_its_checkpoint(
    airflow_standalone: AirflowStandalone,
) -> None:
    airflow = airflow_standalone
    (airflow.dags_folder / "e2e_killed_once").touch()
    (airflow.dags_folder / "e2e_killed.py").write_text(textwrap.dedent(KILLED))
    airflow.wait_for_dag("e2e_killed")
    run_id = airflow.trigger("e2e_killed")
    assert airflow.wait_for_run("e2e_killed", run_id)["state"] == "success"
    ran = (airflow.dags_folder / "e2e_killed_ran.log").read_text().split()
    # Try 1 ran all three and was killed in the last; try 2 ran only the last one.
    assert ran == ["root", "slow", "last", "last"]
    [instance] = airflow.client.get(
        f"/api/v2/dags/e2e_killed/dagRuns/{run_id}/taskInstances"
    ).json()["task_instances"]
    assert instance["try_number"] == 2
    events = airflow.client.get(
        "/api/v2/assets/events", params={"name_pattern": "e2e_killed_", "limit": 10}
    ).json()["asset_events"]
    assert sorted(e["name"] for e in events if e["source_run_id"] == run_id) == [
        "e2e_killed_last",
        "e2e_killed_root",
        "e2e_killed_slow",
    ]
