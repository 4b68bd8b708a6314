"""Airflow mounts plugin apps without auth: every route of ours, enumerated from the app's route
table (so a new route cannot slip through), refuses anonymous and forged requests; and a user
who may not read a DAG does not see its assets' runs (Airflow's simple auth manager in
multi-team mode, the DAG in another team's bundle)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute

from asset2airflow.plugin import Asset2AirflowPlugin
from tests.plugin.conftest import PREFIX, PluginAirflow

pytestmark = pytest.mark.integration

SAMPLE = {"asset_id": "1", "dag_id": "api_sales", "check_name": "x", "name": "common.js"}


def plugin_routes() -> list[APIRoute]:
    [entry] = Asset2AirflowPlugin.fastapi_apps
    app = entry["app"].app
    routes = list(app.routes)
    assert all(isinstance(r, APIRoute) for r in routes), "no mounts or raw routes without auth"
    return routes  # type: ignore[return-value]


def concrete(path: str) -> str:
    return re.sub(r"{(\w+)(:\w+)?}", lambda m: SAMPLE[m.group(1)], path)


def test_the_plugin_is_registered_with_its_views() -> None:
    from airflow import plugins_manager

    [info] = [p for p in plugins_manager.get_plugin_info() if p["name"] == "asset2airflow"]
    assert [a["url_prefix"] for a in info["fastapi_apps"]] == [PREFIX]
    views = {(v["name"], v["destination"]) for v in info["external_views"]}
    assert views == {("Asset lineage", "nav"), ("Asset checks", "nav"), ("Assets", "dag")}
    [tab] = [v for v in info["external_views"] if v["destination"] == "dag"]
    assert tab["href"] == f"{PREFIX}/dags/{{DAG_ID}}/assets"


def test_every_route_carries_airflows_authentication_dependency() -> None:
    for route in plugin_routes():
        calls = [d.call for d in route.dependant.dependencies]
        names = [getattr(c, "__qualname__", "") for c in calls]
        assert any(n.startswith("requires_authenticated.") for n in names), route.path
        assert route.methods == {"GET"}, route.path  # read-only


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Cookie": "_token=forged"}],
    ids=["anonymous", "bad-bearer", "bad-cookie"],
)
def test_every_route_refuses_requests_without_a_valid_token(
    plugin_airflow: PluginAirflow, headers: dict[str, str]
) -> None:
    routes = plugin_routes()
    assert len(routes) >= 14
    for route in routes:
        url = PREFIX + concrete(route.path)
        response = plugin_airflow.client.get(
            url, headers=headers, params={"key": "x"}, follow_redirects=False
        )
        assert response.status_code in (401, 403), (url, response.status_code)


def test_every_route_answers_an_admin(plugin_airflow: PluginAirflow) -> None:
    token = plugin_airflow.token()
    for route in plugin_routes():
        response = plugin_airflow.get(concrete(route.path), token, key="x")
        assert response.status_code in (200, 404), (route.path, response.text[:200])


@pytest.fixture
def team_airflow(plugin_airflow: PluginAirflow, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Multi-team mode: DAG ``plugin_quality`` lives in a bundle of team ``finance``; the
    returned token is a viewer of team ``marketing``."""
    from airflow.models.dag import DagModel
    from airflow.models.dagbundle import DagBundleModel
    from airflow.models.team import Team
    from airflow.utils.session import create_session

    monkeypatch.setenv("AIRFLOW__CORE__MULTI_TEAM", "True")
    with create_session() as session:
        finance = session.get(Team, "finance") or Team(name="finance")
        bundle = session.get(DagBundleModel, "plugin-finance") or DagBundleModel(
            name="plugin-finance"
        )
        bundle.teams = [finance]
        session.add_all([finance, bundle])
        session.flush()
        dag = session.get(DagModel, "plugin_quality")
        assert dag is not None
        previous = dag.bundle_name
        dag.bundle_name = "plugin-finance"
    try:
        yield plugin_airflow.token("mia", "viewer", ["marketing"])
    finally:
        with create_session() as session:
            dag = session.get(DagModel, "plugin_quality")
            assert dag is not None
            dag.bundle_name = previous


def test_a_user_who_may_not_read_a_dag_does_not_see_its_assets_runs(
    plugin_airflow: PluginAirflow, team_airflow: str
) -> None:
    mia = team_airflow
    assets = {a["name"]: a for a in plugin_airflow.json("/api/lineage", mia)["assets"]}
    assert (assets["plugin_orders"]["state"], assets["plugin_orders"]["checks"]) == ("hidden", None)
    assert assets["plugin_orders"]["last_materialized"] is None
    assert assets["api_raw_sales"]["state"] == "materialized"  # DAGs of no team stay readable
    assert assets["plugin_order_report"]["state"] == "materialized"

    orders = plugin_airflow.asset_id("plugin_orders")
    asset = plugin_airflow.json(f"/api/assets/{orders}", mia)
    assert asset["runs_hidden"] is True and asset["failures"] == []
    assert [c["latest"] for c in asset["checks"]] == [None, None]
    assert asset["materialization_count"] == 0
    events = plugin_airflow.json(f"/api/assets/{orders}/materializations", mia)
    assert events["materializations"] == []
    history = plugin_airflow.json(f"/api/assets/{orders}/checks/plugin_orders_positive", mia)
    assert history["history"] == []
    checks = plugin_airflow.json("/api/checks", mia)["checks"]
    hidden = [c for c in checks if c["asset"] == "plugin_orders"]
    assert {c["state"] for c in hidden} == {"hidden"} and not any(c["run_id"] for c in hidden)
    assert plugin_airflow.get("/api/dags/plugin_quality/assets", mia).status_code == 403
    assert plugin_airflow.get("/dags/plugin_quality/assets", mia).status_code == 403
    assert plugin_airflow.get("/api/dags/api_sales/assets", mia).status_code == 200

    admin = {a["name"]: a for a in plugin_airflow.json("/api/lineage")["assets"]}
    assert admin["plugin_orders"]["state"] == "failed"  # the admin still sees everything


def test_the_plugins_folder_shim_stays_empty_when_the_entry_point_registers_the_plugin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.metadata
    import runpy
    from pathlib import Path

    shim = Path(__file__).resolve().parents[2] / "plugins" / "asset2airflow_plugin.py"
    assert "Asset2AirflowPlugin" not in runpy.run_path(str(shim))

    def no_entry_points(**_: Any) -> list[Any]:
        return []

    monkeypatch.setattr(importlib.metadata, "entry_points", no_entry_points)
    assert runpy.run_path(str(shim))["Asset2AirflowPlugin"] is Asset2AirflowPlugin
