"""The plugin's JSON API on a real Airflow DB after real runs (``dag.test()``), through Airflow's
own api-server app, which mounts the plugin from its ``airflow.plugins`` entry point."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources

import pytest

from tests.plugin.conftest import PluginAirflow
from tests.plugin.sources import DAY_CHECK_FAILS, DAY_FAILS, DAYS_OK, UPLOADS, XSS

pytestmark = pytest.mark.integration


def by_name(lineage: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {a["name"]: a for a in lineage["assets"]}


def test_lineage_draws_the_sales_pipeline_with_states_checks_and_groups(
    plugin_airflow: PluginAirflow,
) -> None:
    lineage = plugin_airflow.json("/api/lineage")
    assets = by_name(lineage)
    names = [a["name"] for a in lineage["assets"]]
    edges = {(names[s], names[d]) for s, d in lineage["edges"]}
    assert {
        ("api_raw_sales", "api_cleaned_sales"),
        ("api_cleaned_sales", "api_daily_sales_summary"),
    } <= edges
    for name in ("api_raw_sales", "api_cleaned_sales", "api_daily_sales_summary"):
        assert assets[name]["state"] == "materialized"
        assert assets[name]["group"] == "api_sales"
        assert (assets[name]["dag_id"], assets[name]["task_id"]) == ("api_sales", name)
        assert assets[name]["last_materialized"]
    assert assets["api_cleaned_sales"]["checks"] == "passed"
    assert assets["api_raw_sales"]["checks"] is None  # no checks defined
    assert assets["api_raw_sales"]["kinds"] == ["pandas"]
    # Layout: left to right along the pipeline, inside the group's box.
    xs = [assets[n]["x"] for n in ("api_raw_sales", "api_cleaned_sales", "api_daily_sales_summary")]
    assert xs == sorted(xs) and len(set(xs)) == 3
    [sales] = [g for g in lineage["groups"] if g["name"] == "api_sales"]
    for name in ("api_raw_sales", "api_daily_sales_summary"):
        node = assets[name]
        assert (
            sales["x"] <= node["x"] and node["x"] + lineage["node_width"] <= sales["x"] + sales["w"]
        )
        assert (
            sales["y"] <= node["y"]
            and node["y"] + lineage["node_height"] <= sales["y"] + sales["h"]
        )


def test_lineage_crosses_dags_shows_failures_and_hides_partition_registries(
    plugin_airflow: PluginAirflow,
) -> None:
    lineage = plugin_airflow.json("/api/lineage")
    assets = by_name(lineage)
    names = [a["name"] for a in lineage["assets"]]
    edges = {(names[s], names[d]) for s, d in lineage["edges"]}
    assert ("plugin_orders", "plugin_order_report") in edges  # two DAGs, one edge
    assert assets["plugin_orders"]["state"] == "failed"  # the blocking check failed last
    assert assets["plugin_orders"]["checks"] == "failed"
    assert assets["plugin_order_report"]["state"] == "materialized"
    assert assets["plugin_daily_sales"]["partitioned"] is True
    assert not [n for n in names if n.startswith("asset2airflow-partitions")]
    from airflow.models.asset import AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:  # the registry exists in Airflow, just not in the graph
        registry = session.query(AssetModel).filter_by(
            name="asset2airflow-partitions/plugin_uploads"
        )
        assert registry.count() == 1


def test_a_failed_fused_task_marks_only_its_failed_asset_failed(
    plugin_airflow: PluginAirflow,
) -> None:
    assert [r.state for r in plugin_airflow.runs["plugin_fused"]] == ["success", "failed"]
    assets = by_name(plugin_airflow.json("/api/lineage"))
    assert assets["plugin_fused_bad"]["state"] == "failed"
    assert assets["plugin_fused_ok"]["state"] == "materialized"


def test_asset_page_data_has_definition_checks_failures_and_materializations(
    plugin_airflow: PluginAirflow,
) -> None:
    orders = plugin_airflow.asset_id("plugin_orders")
    asset = plugin_airflow.json(f"/api/assets/{orders}")
    assert asset["name"] == "plugin_orders"
    assert asset["description"].startswith("Orders **from the shop**. " + XSS)
    assert (asset["owners"], asset["kinds"]) == (["quality-team@example.com"], ["python"])
    assert asset["metadata"]["tier"] == {"type": "text", "value": "gold"}
    assert asset["producers"] == [{"dag_id": "plugin_quality", "task_id": "plugin_orders"}]
    assert [a["name"] for a in asset["downstream"]] == ["plugin_order_report"]
    assert (asset["state"], asset["check_state"]) == ("failed", "failed")
    checks = {c["name"]: c for c in asset["checks"]}
    positive, volume = checks["plugin_orders_positive"], checks["plugin_orders_volume"]
    assert positive["blocking"] and not volume["blocking"]
    assert (positive["latest"]["state"], positive["latest"]["severity"]) == ("failed", "ERROR")
    assert positive["latest"]["metadata"]["negative_rows"] == {"type": "int", "value": 1}
    assert positive["latest"]["run_id"] == plugin_airflow.runs["plugin_quality"][1].run_id
    assert (volume["latest"]["state"], volume["latest"]["severity"]) == ("warning", "WARN")
    [failure] = asset["failures"]
    assert failure["run_id"] == plugin_airflow.runs["plugin_quality"][1].run_id

    # The failed run emitted no asset event: one materialization, from the first run.
    page = plugin_airflow.json(f"/api/assets/{orders}/materializations")
    [event] = page["materializations"]
    assert event["run_id"] == plugin_airflow.runs["plugin_quality"][0].run_id
    assert event["metadata"]["rows"] == {"type": "int", "value": 2}
    assert event["metadata"]["note"]["type"] == "md"
    assert event["metadata"]["sample"]["value"]["records"] == [{"id": 1, "amount": 5}]
    assert {c["name"]: c["passed"] for c in event["checks"]} == {
        "plugin_orders_positive": True,
        "plugin_orders_volume": False,
    }
    assert page["next_before"] is None


def test_check_history_is_newest_first(plugin_airflow: PluginAirflow) -> None:
    orders = plugin_airflow.asset_id("plugin_orders")
    history = plugin_airflow.json(f"/api/assets/{orders}/checks/plugin_orders_positive")
    assert [h["state"] for h in history["history"]] == ["failed", "passed"]
    assert [h["run_id"] for h in history["history"]] == [
        r.run_id for r in reversed(plugin_airflow.runs["plugin_quality"])
    ]


def test_checks_page_data_filters_by_state_severity_and_group(
    plugin_airflow: PluginAirflow,
) -> None:
    every = plugin_airflow.json("/api/checks")
    rows = {(c["asset"], c["name"]): c for c in every["checks"]}
    assert rows[("api_cleaned_sales", "api_amounts_are_positive")]["state"] == "passed"
    assert rows[("plugin_orders", "plugin_orders_positive")]["state"] == "failed"
    assert rows[("plugin_orders", "plugin_orders_volume")]["state"] == "warning"
    assert {"api_sales", "plugin_quality", "plugin_days"} <= set(every["groups"])
    failed = plugin_airflow.json("/api/checks", state="failed")["checks"]
    assert ("plugin_orders", "plugin_orders_positive") in {(c["asset"], c["name"]) for c in failed}
    assert all(c["state"] == "failed" for c in failed)
    warn = plugin_airflow.json("/api/checks", severity="WARN")["checks"]
    assert [(c["asset"], c["name"]) for c in warn] == [("plugin_orders", "plugin_orders_volume")]
    sales = plugin_airflow.json("/api/checks", group="api_sales")["checks"]
    assert [(c["asset"], c["name"], c["blocking"]) for c in sales] == [
        ("api_cleaned_sales", "api_amounts_are_positive", True)
    ]


def test_partition_grid_marks_materialized_failed_check_failed_and_missing(
    plugin_airflow: PluginAirflow,
) -> None:
    daily = plugin_airflow.asset_id("plugin_daily_sales")
    grid = plugin_airflow.json(f"/api/assets/{daily}/partitions")
    keys, status = grid["keys"], grid["status"]
    today = dt.datetime.now(dt.timezone.utc).date()
    assert keys[0] == "2024-01-01" and len(keys) == len(status)
    assert len(keys) in {(today - dt.date(2024, 1, 1)).days + d for d in (-1, 0)}
    code = dict(zip(keys, status, strict=True))
    assert [code[d] for d in DAYS_OK] == ["m", "m", "m"]
    assert code[DAY_CHECK_FAILS] == "c"  # the blocking check failed: no event, task failed
    assert code[DAY_FAILS] == "f"
    assert code["2024-01-06"] == "-"
    assert grid["counts"] == {"m": 3, "c": 1, "f": 1, "r": 0, "-": len(keys) - 5}

    failed = plugin_airflow.json(f"/api/assets/{daily}/partitions/detail", key=DAY_FAILS)
    assert [r["state"] for r in failed["runs"]] == ["failed"] and not failed["materializations"]
    checked = plugin_airflow.json(f"/api/assets/{daily}/partitions/detail", key=DAY_CHECK_FAILS)
    assert [(c["name"], c["state"]) for c in checked["checks"]] == [
        ("plugin_daily_sales_complete", "failed")
    ]
    ok = plugin_airflow.json(f"/api/assets/{daily}/partitions/detail", key=DAYS_OK[0])
    assert ok["materializations"][0]["metadata"]["day"] == {"type": "text", "value": DAYS_OK[0]}


def test_dynamic_partition_keys_come_from_the_registry_events(
    plugin_airflow: PluginAirflow,
) -> None:
    upload = plugin_airflow.asset_id("plugin_upload")
    grid = plugin_airflow.json(f"/api/assets/{upload}/partitions")
    assert (grid["type"], grid["keys"], grid["status"]) == ("dynamic", list(UPLOADS), "mm")
    sales = plugin_airflow.json(
        f"/api/assets/{plugin_airflow.asset_id('api_raw_sales')}/partitions"
    )
    assert sales["partitioned"] is False


def test_dag_assets_tab_lists_what_the_dag_materializes(plugin_airflow: PluginAirflow) -> None:
    found = plugin_airflow.json("/api/dags/api_sales/assets")
    assert [a["name"] for a in found["assets"]] == [
        "api_cleaned_sales",
        "api_daily_sales_summary",
        "api_raw_sales",
    ]
    cleaned = found["assets"][0]
    assert cleaned["task_ids"] == ["api_cleaned_sales"]
    assert [(c["name"], c["state"]) for c in cleaned["checks"]] == [
        ("api_amounts_are_positive", "passed")
    ]
    assert [a["name"] for a in cleaned["upstream"]] == ["api_raw_sales"]


def test_unknown_asset_is_404_and_bad_parameters_are_422(plugin_airflow: PluginAirflow) -> None:
    assert plugin_airflow.get("/api/assets/999999").status_code == 404
    assert plugin_airflow.get("/api/assets/1/materializations", limit=0).status_code == 422


def test_pages_are_html_shells_with_a_strict_content_security_policy(
    plugin_airflow: PluginAirflow,
) -> None:
    orders = plugin_airflow.asset_id("plugin_orders")
    for path in ("/lineage", "/checks", f"/assets/{orders}", "/dags/api_sales/assets"):
        response = plugin_airflow.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "plugin_orders" not in response.text  # data comes from the API, as text
    dag_page = plugin_airflow.get("/dags/api_sales/assets").text
    assert 'data-dag-id="api_sales"' in dag_page
    root = plugin_airflow.get("/")
    assert root.status_code == 200 and "Asset lineage" in root.text  # redirected
    script = plugin_airflow.get("/static/common.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert plugin_airflow.get("/static/../app.py").status_code == 404
    assert plugin_airflow.get("/static/app.py").status_code == 404


def test_no_script_builds_html_from_strings() -> None:
    """Pages put user strings into the DOM as text only: no innerHTML, outerHTML,
    insertAdjacentHTML, document.write or eval anywhere in the plugin's scripts."""
    folder = resources.files("asset2airflow.plugin") / "static"
    sink = re.compile(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|eval\(")
    scripts = [f for f in folder.iterdir() if f.name.endswith(".js")]
    assert len(scripts) >= 6
    for script in scripts:
        assert not sink.search(script.read_text()), script.name
