"""Check status per partition, after real ``dag.test()`` runs (see ``conftest.plugin_airflow``):
``plugin_region``'s blocking check fails on partition ``b`` only, and the later run of ``c``
passes. The check is failed on one partition everywhere the plugin shows it."""

from __future__ import annotations

import pytest

from tests.plugin.conftest import PluginAirflow

pytestmark = pytest.mark.integration


def test_a_check_failed_on_one_partition_is_failed_with_that_partition(
    plugin_airflow: PluginAirflow,
) -> None:
    assert [r.state for r in plugin_airflow.runs["plugin_regions"]] == [
        "success",
        "failed",
        "success",
    ]
    failed = plugin_airflow.json("/api/checks", state="failed")["checks"]
    [row] = [c for c in failed if c["asset"] == "plugin_region"]
    assert (row["name"], row["state"], row["failed_partitions"]) == (
        "plugin_region_valid",
        "failed",
        ["b"],
    )
    assert row["partition"] == "c"  # the latest result, which passed
    passed = plugin_airflow.json("/api/checks", state="passed")["checks"]
    assert not [c for c in passed if c["asset"] == "plugin_region"]


def test_the_asset_header_dag_tab_and_lineage_say_failed_on_partition_b(
    plugin_airflow: PluginAirflow,
) -> None:
    asset_id = plugin_airflow.asset_id("plugin_region")
    page = plugin_airflow.json(f"/api/assets/{asset_id}")
    assert page["check_state"] == "failed"
    [check] = page["checks"]
    assert (check["state"], check["failed_partitions"]) == ("failed", ["b"])
    assert check["latest"]["partition"] == "c" and check["latest"]["passed"] is True
    [tab] = plugin_airflow.json("/api/dags/plugin_regions/assets")["assets"]
    assert tab["check_state"] == "failed"
    assert [(c["name"], c["failed_partitions"]) for c in tab["checks"]] == [
        ("plugin_region_valid", ["b"])
    ]
    [node] = [a for a in plugin_airflow.json("/api/lineage")["assets"] if a["id"] == asset_id]
    assert node["checks"] == "failed"


def test_the_partition_grid_and_detail_carry_each_partitions_check(
    plugin_airflow: PluginAirflow,
) -> None:
    asset_id = plugin_airflow.asset_id("plugin_region")
    grid = plugin_airflow.json(f"/api/assets/{asset_id}/partitions")
    assert dict(zip(grid["keys"], grid["status"], strict=True)) == {"a": "m", "b": "c", "c": "m"}
    detail = plugin_airflow.json(f"/api/assets/{asset_id}/partitions/detail", key="b")
    assert [(c["name"], c["state"], c["partition"]) for c in detail["checks"]] == [
        ("plugin_region_valid", "failed", "b")
    ]
