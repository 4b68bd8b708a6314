"""End to end on a real `airflow standalone`: assets visible without a run, a REST-triggered
upstream DAG triggers the downstream DAG through Airflow assets, and a failing blocking check
keeps the downstream DAG from running."""

from __future__ import annotations

import textwrap
import time

import pytest

from asset2airflow.testing.standalone import AirflowStandalone

pytestmark = pytest.mark.e2e

UPSTREAM = """
from asset2airflow import (AssetCheckResult, AssetExecutionContext, Config, Definitions, asset,
                           asset_check)
from asset2airflow.airflow import build_dags


class OrdersConfig(Config):
    fail_check: bool = False


@asset(group_name="e2e_upstream")
def e2e_orders(context: AssetExecutionContext, config: OrdersConfig) -> list:
    context.log.info("e2e_orders computed with fail_check=%s", config.fail_check)
    return [-5] if config.fail_check else [5, 7]


@asset_check(asset=e2e_orders, blocking=True)
def e2e_orders_positive(e2e_orders: list) -> AssetCheckResult:
    return AssetCheckResult(passed=all(o > 0 for o in e2e_orders))


build_dags(Definitions(assets=[e2e_orders], asset_checks=[e2e_orders_positive]))
"""

DOWNSTREAM = """
from asset2airflow import AssetSpec, Definitions, asset
from asset2airflow.airflow import build_dags


@asset(group_name="e2e_downstream")
def e2e_revenue(e2e_orders: list) -> int:
    return sum(e2e_orders)


build_dags(Definitions(assets=[AssetSpec("e2e_orders"), e2e_revenue]))
"""


def downstream_runs(airflow: AirflowStandalone) -> list[dict[str, object]]:
    return [r for r in airflow.runs("e2e_downstream") if r["run_type"] == "asset_triggered"]


def wait_for_downstream(airflow: AirflowStandalone, count: int, timeout: float) -> list[dict]:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = downstream_runs(airflow)
        if len(runs) >= count and all(r["state"] in ("success", "failed") for r in runs):
            return runs
        time.sleep(1)
    return downstream_runs(airflow)


def test_upstream_run_triggers_downstream_unless_a_blocking_check_fails(
    airflow_standalone: AirflowStandalone,
) -> None:
    airflow = airflow_standalone
    (airflow.dags_folder / "e2e_upstream.py").write_text(textwrap.dedent(UPSTREAM))
    (airflow.dags_folder / "e2e_downstream.py").write_text(textwrap.dedent(DOWNSTREAM))
    upstream = airflow.wait_for_dag("e2e_upstream")
    downstream = airflow.wait_for_dag("e2e_downstream")
    assert not upstream["is_paused"] and not downstream["is_paused"]

    # The asset exists in Airflow before anything ran (so its Assets view shows it).
    assets = airflow.client.get("/api/v2/assets", params={"name_pattern": "e2e_orders"}).json()
    assert [a["name"] for a in assets["assets"]] == ["e2e_orders"]
    assert assets["assets"][0]["group"] == "e2e_upstream"

    ok_id = airflow.trigger("e2e_upstream")
    assert airflow.wait_for_run("e2e_upstream", ok_id)["state"] == "success"
    log = airflow.client.get(
        f"/api/v2/dags/e2e_upstream/dagRuns/{ok_id}/taskInstances/e2e_orders/logs/1",
        headers={"Accept": "application/x-ndjson"},
    ).text
    assert "e2e_orders computed with fail_check=False" in log  # user logs are in the task log
    # The task log says where the value went and how each check went.
    stored = f"Materialized asset 'e2e_orders', stored at {airflow.home}/asset2airflow/storage/"
    assert stored in log
    assert "Check e2e_orders:e2e_orders_positive PASSED (blocking, severity ERROR)" in log
    [triggered] = wait_for_downstream(airflow, 1, timeout=120)
    assert triggered["state"] == "success"

    bad = airflow.trigger("e2e_upstream", {"e2e_orders__fail_check": True})
    assert airflow.wait_for_run("e2e_upstream", bad)["state"] == "failed"
    assert airflow.task_states("e2e_upstream", bad) == {"e2e_orders": "failed"}
    time.sleep(15)  # ample time for a (wrong) asset trigger to be scheduled
    assert len(downstream_runs(airflow)) == 1
