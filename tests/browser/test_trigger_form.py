"""In a real browser: the Airflow trigger form for a generated DAG is typed from the asset's
Config, and a run triggered from it materializes with the values entered."""

from __future__ import annotations

import textwrap
import time
from typing import Any

import pytest

from asset2airflow.testing.standalone import AirflowStandalone

pytestmark = pytest.mark.browser

FORM_DAG = """
from asset2airflow import Config, Definitions, MaterializeResult, asset
from asset2airflow.airflow import build_dags


class OrdersConfig(Config):
    fail_check: bool = False
    limit: int = 10


@asset(group_name="browser_form")
def browser_orders(config: OrdersConfig) -> MaterializeResult:
    return MaterializeResult(value=list(range(config.limit)), metadata={"limit": config.limit})


@asset(group_name="browser_form")
def browser_total(browser_orders: list) -> int:
    return sum(browser_orders)


build_dags(Definitions(assets=[browser_orders, browser_total]))
"""


def test_trigger_form_is_typed_and_its_values_reach_the_asset(
    airflow_standalone: AirflowStandalone, airflow_page: Any
) -> None:
    airflow = airflow_standalone
    (airflow.dags_folder / "browser_form.py").write_text(textwrap.dedent(FORM_DAG))
    airflow.wait_for_dag("browser_form")
    page = airflow_page
    page.goto(f"{airflow.url}/dags/browser_form")
    page.get_by_role("button", name="Trigger").first.click()
    page.get_by_text("browser_orders config").click()
    fail_check = page.locator("input[name='element_browser_orders__fail_check']")
    limit = page.locator("input[name='element_browser_orders__limit']")
    assert fail_check.get_attribute("type") == "checkbox"  # a switch, from `bool`
    assert page.get_by_text("Fail Check").count() == 1
    assert limit.input_value() == "10"  # the Config default
    limit.fill("4")
    page.get_by_role("dialog").get_by_role("button", name="Trigger").click()

    deadline = time.monotonic() + 60
    while not airflow.runs("browser_form") and time.monotonic() < deadline:
        time.sleep(1)
    [run] = airflow.runs("browser_form")
    assert run["conf"]["browser_orders__limit"] == 4
    finished = airflow.wait_for_run("browser_form", run["dag_run_id"])
    assert finished["state"] == "success"
    events = airflow.client.get(
        "/api/v2/assets/events", params={"source_dag_id": "browser_form"}
    ).json()["asset_events"]
    [orders_event] = [e for e in events if e["source_task_id"] == "browser_orders"]
    assert orders_event["extra"]["metadata"]["limit"] == {"type": "int", "value": 4}


def test_asset_selection_is_a_multi_select_and_runs_only_the_chosen_assets(
    airflow_standalone: AirflowStandalone, airflow_page: Any, tmp_path: Any
) -> None:
    airflow = airflow_standalone
    (airflow.dags_folder / "browser_select.py").write_text(
        textwrap.dedent(FORM_DAG).replace("browser_form", "browser_select")
    )
    airflow.wait_for_dag("browser_select")
    page = airflow_page
    page.goto(f"{airflow.url}/dags/browser_select")
    page.get_by_role("button", name="Trigger").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Selection").click()
    assert dialog.get_by_text("Leave empty to materialize every asset").count() == 1
    # A multi-select offering the DAG's assets (not a free-text list of strings).
    selector = dialog.locator("#element_assets")
    selector.click()
    options = page.get_by_role("option")
    assert sorted(options.all_inner_texts()) == ["browser_orders", "browser_total"]
    page.get_by_role("option", name="browser_orders").click()
    page.screenshot(path=str(tmp_path / "asset_selection.png"))
    dialog.get_by_role("button", name="Trigger").click()

    deadline = time.monotonic() + 60
    while not airflow.runs("browser_select") and time.monotonic() < deadline:
        time.sleep(1)
    [run] = airflow.runs("browser_select")
    assert run["conf"]["assets"] == ["browser_orders"]
    assert airflow.wait_for_run("browser_select", run["dag_run_id"])["state"] == "success"
    assert airflow.task_states("browser_select", run["dag_run_id"]) == {
        "browser_orders": "success",
        "browser_total": "skipped",
    }
