"""Observing task DAGs in place: their tasks get Airflow asset outlets/inlets named like our
assets, an asset module depends on them with ``AssetSpec``, and a task DAG can be scheduled on
our assets; the tasks' code is untouched."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from asset2airflow import AssetSpec, Definitions, asset
from asset2airflow.airflow.plan import build_dag_plans
from asset2airflow.errors import DefinitionError
from tests.airflow.conftest import asset_events

pytestmark = pytest.mark.integration

TASK_DAG = """
import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG
from asset2airflow.migrate import asset_refs, observe

with DAG("legacy_orders", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
         catchup=False) as dag:
    extract = BashOperator(task_id="extract", bash_command="echo extracted")
    load = BashOperator(task_id="load", bash_command="echo loaded")
    extract >> load

observe(dag, MAPPING)

with DAG("follows_our_asset", schedule=asset_refs("sales/daily_summary"),
         start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False):
    BashOperator(task_id="report", bash_command="echo report")
"""


def _source(mapping: str) -> str:
    return TASK_DAG.replace("MAPPING", mapping)


@pytest.fixture
def load(
    load_dag_file: Callable[..., Any], dags_folder: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], dict[str, Any]]]:
    """Load the task DAG file observed with a mapping; its DAG ids are unique to the test and
    the file leaves the shared dags folder afterwards (dag.test() syncs the whole folder)."""
    suffix = request.node.name.removeprefix("test_")[:40]
    name = f"observed_{suffix}.py"

    def load_with(mapping: str) -> dict[str, Any]:
        source = _source(mapping).replace('"legacy_orders"', f'"legacy_orders_{suffix}"')
        dags = load_dag_file(name, source.replace('"follows_our_asset"', f'"follows_{suffix}"'))
        return {k.removesuffix(f"_{suffix}"): v for k, v in dags.items()}

    yield load_with
    (dags_folder / name).unlink(missing_ok=True)


def test_observed_tasks_get_outlets_and_inlets(load: Callable[[str], dict[str, Any]]) -> None:
    dags = load(
        (
            '{"extract": "raw/orders", "load": {"outlets": ["clean/orders", "clean/lines"],'
            ' "inlets": ["raw/orders"]}}'
        ),
    )
    dag = dags["legacy_orders"]
    [outlet] = dag.get_task("extract").outlets
    assert (outlet.name, outlet.uri) == ("raw/orders", "asset2airflow://raw/orders")
    load = dag.get_task("load")
    assert [o.name for o in load.outlets] == ["clean/orders", "clean/lines"]
    assert [i.name for i in load.inlets] == ["raw/orders"]
    assert load.bash_command == "echo loaded"  # the task itself is untouched
    follows = dags["follows"]
    assert [a.name for a in follows.timetable.asset_condition.objects] == ["sales/daily_summary"]


def test_observed_dag_run_records_asset_events(load: Callable[[str], dict[str, Any]]) -> None:
    dags = load('{"extract": "raw/observed_orders"}')
    before = len(asset_events("raw/observed_orders"))
    assert dags["legacy_orders"].test().state == "success"
    assert len(asset_events("raw/observed_orders")) == before + 1


def test_asset_modules_depend_on_observed_assets_by_name(
    load: Callable[[str], dict[str, Any]],
) -> None:
    dags = load('{"extract": "raw/orders"}')
    produced = dags["legacy_orders"].get_task("extract").outlets[0]

    @asset(deps=["raw/orders"])
    def cleaned() -> int:
        return 1

    [plan] = build_dag_plans(Definitions(assets=[cleaned, AssetSpec("raw/orders")]))
    [upstream] = plan.schedule.upstream
    assert upstream.name == produced.name and upstream.uri is None  # Asset.ref(name=...)


def test_yaml_mapping_under_the_dag_id(
    load: Callable[[str], dict[str, Any]], tmp_path: Path
) -> None:
    mapping = tmp_path / "observed_assets.yaml"
    mapping.write_text(
        "legacy_orders_yaml_mapping_under_the_dag_id:\n"
        "  extract: raw/orders\n  load: [clean/orders]\n"
    )
    dags = load(repr(str(mapping)))
    dag = dags["legacy_orders"]
    assert [o.name for o in dag.get_task("load").outlets] == ["clean/orders"]


def test_unknown_task_is_an_error_naming_close_ones() -> None:
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG

    from asset2airflow.migrate import observe

    with DAG("d", schedule=None) as dag:
        EmptyOperator(task_id="extract")
    with pytest.raises(DefinitionError, match="has no task 'extrct'; did you mean \\['extract'\\]"):
        observe(dag, {"extrct": "raw/orders"})
    with pytest.raises(DefinitionError, match="unknown keys \\['outputs'\\]"):
        observe(dag, {"extract": {"outputs": ["x"]}})
