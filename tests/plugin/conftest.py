"""The plugin against a real Airflow metadata DB: the sales pipeline (renamed ``api_...``), a
DAG whose blocking check fails on its second run, and a daily-partitioned DAG run for five days
(one fails, one fails its blocking check), all run with ``dag.test()``; then Airflow's own
api-server app (which mounts the plugin from its entry point) answers through a test client."""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.plugin.sources import (
    DAY_CHECK_FAILS,
    DAY_FAILS,
    DAYS_OK,
    FUSED,
    OBSERVED,
    PARTITION_CHECKS,
    PARTITIONS,
    QUALITY,
    REGION_RUNS,
    SPEC_READER,
    SPEC_SOURCE,
    UPLOADS,
)

REPO_DAGS = Path(__file__).resolve().parents[2] / "dags"
PREFIX = "/asset2airflow"


@dataclass
class PluginAirflow:
    """Airflow's api-server app in-process, with tokens for its users."""

    client: Any
    runs: dict[str, list[Any]]

    def token(self, username: str = "admin", role: str = "admin", teams: Any = None) -> str:
        from airflow.api_fastapi.app import get_auth_manager
        from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

        user = SimpleAuthManagerUser(username=username, role=role, teams=teams)
        return str(get_auth_manager().generate_jwt(user))

    def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {token or self.token()}"}
        return self.client.get(f"{PREFIX}{path}", headers=headers, params=params)

    def json(self, path: str, token: str | None = None, **params: Any) -> Any:
        response = self.get(path, token, **params)
        assert response.status_code == 200, response.text
        return response.json()

    def asset_id(self, name: str) -> int:
        [asset] = [a for a in self.json("/api/lineage")["assets"] if a["name"] == name]
        return int(asset["id"])


def api_sales_source() -> str:
    """The repo's sales pipeline with its assets, check and group renamed ``api_...``: other
    tests share this metadata DB and run the pipeline under its own names."""
    source = (REPO_DAGS / "sales_pipeline.py").read_text()
    for name in ("raw_sales", "cleaned_sales", "daily_sales_summary", "amounts_are_positive"):
        source = re.sub(rf"\b{name}\b", f"api_{name}", source)
    source = source.replace('group_name="sales"', 'group_name="api_sales"')
    assert source.count('group_name="api_sales"') == 3
    return source


def api_marts_source() -> str:
    """The repo's fused marts reading ``api_cleaned_sales`` (the renamed sales pipeline), each
    mart renamed ``api_...`` as well."""
    source = (REPO_DAGS / "sales_marts.py").read_text()
    marts = ("cleaned_sales", "sales_by_region", "largest_orders", "best_region", "sales_marts")
    for name in marts:
        source = re.sub(rf"\b{name}\b", f"api_{name}", source)
    source = source.replace('name=f"{region}_sales"', 'name=f"api_{region}_sales"')
    assert source.count('group_name="api_sales_marts"') == 4
    return source


def _parse(path: Path) -> dict[str, Any]:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(path))
    assert not bag.import_errors, bag.import_errors
    return dict(bag.dags)


@pytest.fixture(scope="session")
def plugin_airflow(
    airflow_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PluginAirflow]:
    import os

    from fastapi.testclient import TestClient

    dags_folder = Path(os.environ.get("AIRFLOW__CORE__DAGS_FOLDER", airflow_db / "dags"))
    home = tmp_path_factory.mktemp("plugin-asset2airflow-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSET2AIRFLOW_HOME", str(home))
        patch.delenv("ASSET2AIRFLOW_STORAGE_DIR", raising=False)
        # A key long enough for the HS512 tokens the tests mint (no InsecureKeyLengthWarning).
        patch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", "plugin-tests-" + "k" * 64)
        shutil.copytree(REPO_DAGS / "data", dags_folder / "data", dirs_exist_ok=True)
        (dags_folder / "plugin_api_sales.py").write_text(api_sales_source())
        (dags_folder / "plugin_quality.py").write_text(textwrap.dedent(QUALITY))
        (dags_folder / "plugin_partitions.py").write_text(textwrap.dedent(PARTITIONS))
        (dags_folder / "plugin_fused.py").write_text(textwrap.dedent(FUSED))
        (dags_folder / "plugin_api_sales_marts.py").write_text(api_marts_source())
        (dags_folder / "plugin_spec_source.py").write_text(textwrap.dedent(SPEC_SOURCE))
        (dags_folder / "plugin_spec_reader.py").write_text(textwrap.dedent(SPEC_READER))
        (dags_folder / "plugin_regions.py").write_text(textwrap.dedent(PARTITION_CHECKS))
        (dags_folder / "plugin_observed.py").write_text(textwrap.dedent(OBSERVED))
        dags = {}
        sources = ("plugin_api_sales.py", "plugin_quality.py", "plugin_partitions.py")
        more = (
            "plugin_fused.py",
            "plugin_api_sales_marts.py",
            "plugin_spec_reader.py",
            "plugin_regions.py",
        )
        for name in (*sources, *more):
            dags.update(_parse(dags_folder / name))
        runs: dict[str, list[Any]] = {
            "api_sales": [dags["api_sales"].test()],
            "plugin_quality": [dags["plugin_quality"].test()],
        }
        runs["plugin_quality_reports"] = [dags["plugin_quality_reports"].test()]
        runs["plugin_quality"].append(
            dags["plugin_quality"].test(run_conf={"plugin_orders__fail_check": True})
        )
        runs["plugin_days"] = [
            dags["plugin_days"].test(run_conf={"partition_key": day})
            for day in (*DAYS_OK, DAY_CHECK_FAILS, DAY_FAILS)
        ]
        runs["plugin_uploads"] = [
            dags["plugin_uploads"].test(run_conf={"partition_key": key}) for key in UPLOADS
        ]
        runs["plugin_fused"] = [  # the second run: one asset fails, the other materializes
            dags["plugin_fused"].test(run_conf={"plugin_fused_bad__fail": fail})
            for fail in (False, True)
        ]
        runs["plugin_regions"] = [
            dags["plugin_regions"].test(run_conf={"partition_key": key}) for key in REGION_RUNS
        ]
        from airflow.api_fastapi.app import create_app

        with TestClient(create_app(apps="core")) as client:
            yield PluginAirflow(client, runs)
