"""DAG ids: ungrouped assets get a DAG per defining module, two sources of one id and ids Airflow
would reject fail with our error naming the job/group/module (no Airflow needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from asset2airflow import (
    Definitions,
    DuplicateKeyError,
    InvalidNameError,
    asset,
    define_asset_job,
)
from asset2airflow.airflow.dag_ids import MAX_ID_LENGTH, default_dags_folder
from asset2airflow.airflow.plan import build_dag_plans
from asset2airflow.loading import load_definitions

UNGROUPED = """
from asset2airflow import Definitions, asset

@asset
def {name}() -> int:
    return 1

@asset(group_name="default")
def {name}_explicit_default({name}: int) -> int:
    return {name}

defs = Definitions(assets=[{name}, {name}_explicit_default])
"""


def write_module(path: Path, name: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(UNGROUPED.format(name=name))
    return path


def test_ungrouped_assets_are_named_after_their_module_relative_to_the_dags_folder(
    tmp_path: Path,
) -> None:
    dags = tmp_path / "dags"
    top = write_module(dags / "orders.py", "orders")
    nested = write_module(dags / "team_a" / "orders.py", "team_orders")
    [top_plan] = build_dag_plans(load_definitions(str(top)), dags_folder=dags)
    [nested_plan] = build_dag_plans(load_definitions(str(nested)), dags_folder=dags)
    assert top_plan.dag_id == "orders.default"
    assert nested_plan.dag_id == "team_a.orders.default"  # same file name, other folder
    assert top_plan.asset_keys == ("orders", "orders_explicit_default")
    assert "group:default" in top_plan.tags


def test_outside_the_dags_folder_the_file_name_names_the_dag(tmp_path: Path) -> None:
    module = write_module(tmp_path / "elsewhere" / "my-file.py", "lonely")
    [plan] = build_dag_plans(load_definitions(str(module)), dags_folder=tmp_path / "dags")
    assert plan.dag_id == "my-file.default"


def test_default_dags_folder_follows_airflows_resolution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AIRFLOW__CORE__DAGS_FOLDER", raising=False)
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    assert default_dags_folder() == tmp_path / "dags"
    (tmp_path / "airflow.cfg").write_text("[core]\ndags_folder = {AIRFLOW_HOME}/pipelines\n")
    assert default_dags_folder() == tmp_path / "pipelines"
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(tmp_path / "env_dags"))
    assert default_dags_folder() == tmp_path / "env_dags"


def test_a_group_can_never_collide_with_an_ungrouped_module_dag(tmp_path: Path) -> None:
    @asset(group_name="orders")
    def grouped() -> int:
        return 1

    @asset
    def loose() -> int:
        return 2

    plans = build_dag_plans(Definitions(assets=[grouped, loose]), dags_folder=tmp_path)
    assert [p.dag_id for p in plans] == ["orders", "test_dag_ids.default"]


def test_dag_id_prefix_with_characters_airflow_rejects_names_the_group() -> None:
    @asset(group_name="sales")
    def revenue() -> int:
        return 1

    with pytest.raises(InvalidNameError) as raised:
        build_dag_plans(Definitions(assets=[revenue]), dag_id_prefix="team a/")
    message = str(raised.value)
    assert "asset group 'sales'" in message and "'team a/sales'" in message
    assert "[' ', '/']" in message and "dag_id_prefix" in message


def test_too_long_dag_and_task_ids_name_the_job_and_the_asset() -> None:
    long_name = "x" * (MAX_ID_LENGTH - 4)

    @asset(group_name="g")
    def small() -> int:
        return 1

    job = define_asset_job(long_name, [small])
    with pytest.raises(InvalidNameError, match=f"job {long_name!r}.*at most 250"):
        build_dag_plans(Definitions(assets=[small], jobs=[job]), dag_id_prefix="team_")

    huge = asset(name="y" * (MAX_ID_LENGTH + 1), group_name="g")(lambda: 1)
    with pytest.raises(InvalidNameError, match=r"task id of 'yyyy.*at most 250.*shorter name"):
        build_dag_plans(Definitions(assets=[huge]))


def test_two_sources_of_one_dag_id_name_both(tmp_path: Path) -> None:
    @asset(group_name="nightly")
    def a() -> int:
        return 1

    @asset(group_name="other")
    def b() -> int:
        return 1

    job = define_asset_job("nightly", [b])
    with pytest.raises(DuplicateKeyError, match="by job 'nightly' and by asset group 'nightly'"):
        build_dag_plans(Definitions(assets=[a, b], jobs=[job]))
