"""Lineage from the static records' upstream keys: every edge of the asset graph, across DAGs,
files and inside fused tasks, on a real metadata DB (see ``conftest.plugin_airflow``): the
repo's fused marts (renamed ``api_...``) reading the sales pipeline's ``cleaned_sales``, and a
dags folder whose second file reads the first file's asset through ``AssetSpec``."""

from __future__ import annotations

import pytest

from tests.plugin.conftest import PluginAirflow

pytestmark = pytest.mark.integration

REGIONS = ("north", "south", "east", "west")


def _edges(plugin_airflow: PluginAirflow) -> set[tuple[str, str]]:
    lineage = plugin_airflow.json("/api/lineage")
    names = [a["name"] for a in lineage["assets"]]
    return {(names[s], names[d]) for s, d in lineage["edges"]}


def test_the_demo_marts_connect_to_cleaned_sales_and_among_themselves(
    plugin_airflow: PluginAirflow,
) -> None:
    marts = {
        "api_sales_by_region",
        "api_largest_orders",
        "api_best_region",
        *(f"api_{r}_sales" for r in REGIONS),
    }
    into_marts = {(s, d) for s, d in _edges(plugin_airflow) if d in marts}
    assert into_marts == {
        ("api_cleaned_sales", "api_sales_by_region"),
        ("api_cleaned_sales", "api_largest_orders"),
        ("api_sales_by_region", "api_best_region"),
        *(("api_cleaned_sales", f"api_{r}_sales") for r in REGIONS),
    }


def test_an_asset_spec_read_from_another_file_is_an_edge_everywhere(
    plugin_airflow: PluginAirflow,
) -> None:
    edges = _edges(plugin_airflow)
    assert {
        ("plugin_spec_upstream", "plugin_spec_downstream"),  # another file, through AssetSpec
        ("plugin_spec_upstream", "plugin_spec_graph"),  # behind a graph-backed asset
        ("plugin_spec_downstream", "plugin_spec_fused_a"),  # into a fused DAG
        ("plugin_spec_fused_a", "plugin_spec_fused_b"),  # inside the fused task
    } <= edges
    downstream = plugin_airflow.asset_id("plugin_spec_downstream")
    page = plugin_airflow.json(f"/api/assets/{downstream}")
    assert [a["name"] for a in page["upstream"]] == ["plugin_spec_upstream"]
    assert [a["name"] for a in page["downstream"]] == ["plugin_spec_fused_a"]
    [tab] = [
        a
        for a in plugin_airflow.json("/api/dags/plugin_spec_reader/assets")["assets"]
        if a["name"] == "plugin_spec_downstream"
    ]
    assert [a["name"] for a in tab["upstream"]] == ["plugin_spec_upstream"]
    fused = plugin_airflow.json("/api/dags/plugin_spec_fused/assets")["assets"]
    assert {a["name"]: [u["name"] for u in a["upstream"]] for a in fused} == {
        "plugin_spec_fused_a": ["plugin_spec_downstream"],
        "plugin_spec_fused_b": ["plugin_spec_fused_a"],
    }


def test_an_observed_task_dag_publishes_its_upstream_through_its_record(
    plugin_airflow: PluginAirflow,
) -> None:
    assert ("plugin_spec_upstream", "plugin_observed_table") in _edges(plugin_airflow)
    table = plugin_airflow.json(f"/api/assets/{plugin_airflow.asset_id('plugin_observed_table')}")
    assert [a["name"] for a in table["upstream"]] == ["plugin_spec_upstream"]
    assert table["metadata"] == {}  # the record in the asset's extra is not user metadata
