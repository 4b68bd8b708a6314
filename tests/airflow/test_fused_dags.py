"""Fused DAGs (``execution="fused"``) in a real Airflow 3.3: one task materializes the DAG's
assets in order, one asset event per materialized asset, per-asset status in XCom, and a retry
re-runs only what did not materialize."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.airflow.conftest import REPO_DAGS, asset_events, task_states, xcom

pytestmark = pytest.mark.integration


def _report(run: Any) -> dict[str, Any]:
    value = xcom(run, "materialize", "asset2airflow")
    return json.loads(value) if isinstance(value, str) else value  # type: ignore[no-any-return]


def _statuses(run: Any) -> dict[str, str]:
    return {k: v["status"] for k, v in _report(run)["assets"].items()}


DIAMOND = """
from pathlib import Path
from asset2airflow import AssetCheckResult, Config, Definitions, asset, asset_check
from asset2airflow.airflow import build_dags

LOG = Path({log!r})
FAIL_ONCE = Path({fail_once!r})


def ran(name):
    with LOG.open("a") as f:
        f.write(name + "\\n")


class Knobs(Config):
    fail_check: bool = False


@asset(group_name="{group}")
def {p}_source() -> int:
    ran("source")
    return 2


@asset(group_name="{group}")
def {p}_flaky({p}_source: int) -> int:
    ran("flaky")
    if FAIL_ONCE.exists():
        FAIL_ONCE.unlink()
        raise RuntimeError("flaky asset failed on purpose")
    return {p}_source * 10


@asset(group_name="{group}")
def {p}_after_flaky({p}_flaky: int) -> int:
    ran("after_flaky")
    return {p}_flaky + 1


@asset(group_name="{group}")
def {p}_independent({p}_source: int, config: Knobs) -> int:
    ran("independent")
    return -1 if config.fail_check else {p}_source + 5


@asset_check(asset={p}_independent, blocking=True)
def {p}_small({p}_independent: int) -> AssetCheckResult:
    return AssetCheckResult(passed={p}_independent > 0, metadata={{"value": {p}_independent}})


@asset(group_name="{group}")
def {p}_after_independent({p}_independent: int) -> int:
    ran("after_independent")
    return {p}_independent * 2


defs = Definitions(
    assets=[{p}_source, {p}_flaky, {p}_after_flaky, {p}_independent, {p}_after_independent],
    asset_checks=[{p}_small],
)
build_dags(defs, execution="fused", default_args={{"retries": {retries}, "retry_delay": 0}})
"""


def _diamond(
    load_dag_file: Callable[..., Any], tmp_path: Path, p: str, retries: int = 0
) -> tuple[Any, Path, Path]:
    log, fail_once = tmp_path / "ran.log", tmp_path / "fail_once"
    source = DIAMOND.format(log=str(log), fail_once=str(fail_once), group=p, p=p, retries=retries)
    return load_dag_file(f"{p}.py", source)[p], log, fail_once


def _ran(log: Path) -> list[str]:
    lines = log.read_text().split() if log.exists() else []
    log.unlink(missing_ok=True)
    return lines


def test_fused_dag_is_one_task_with_every_asset_as_outlet(
    load_dag_file: Callable[..., Any], tmp_path: Path
) -> None:
    dag, _, _ = _diamond(load_dag_file, tmp_path, "fz_shape")
    assert list(dag.task_dict) == ["materialize"]
    task = dag.get_task("materialize")
    assert type(task).__name__ == "FusedAssetsOperator"
    assert sorted(o.name for o in task.outlets) == sorted(
        f"fz_shape_{n}"
        for n in ("source", "flaky", "after_flaky", "independent", "after_independent")
    )


def test_fused_run_materializes_in_order_with_one_event_per_asset(
    load_dag_file: Callable[..., Any], tmp_path: Path
) -> None:
    dag, log, _ = _diamond(load_dag_file, tmp_path, "fz_ok")
    run = dag.test(run_conf={"fz_ok_independent__fail_check": False, "assets": None})
    assert run.state == "success"
    assert task_states(run) == {"materialize": "success"}
    order = _ran(log)
    assert order[0] == "source" and order.index("flaky") < order.index("after_flaky")
    assert sorted(order) == sorted(
        ["source", "flaky", "after_flaky", "independent", "after_independent"]
    )
    assert set(_statuses(run).values()) == {"materialized"}
    [event] = asset_events("fz_ok_independent")
    assert event["checks"][0]["passed"] is True and event["checks"][0]["name"] == "fz_ok_small"
    assert len(asset_events("fz_ok_after_flaky")) == 1


def test_a_failure_runs_independent_assets_then_the_retry_runs_only_the_rest(
    load_dag_file: Callable[..., Any], tmp_path: Path
) -> None:
    dag, log, fail_once = _diamond(load_dag_file, tmp_path, "fz_retry", retries=1)
    fail_once.touch()
    run = dag.test(run_conf={"fz_retry_independent__fail_check": False, "assets": None})
    assert run.state == "success"
    # Try 1 ran everything it could; try 2 only the failed asset and what it held back.
    assert _ran(log) == [
        "source",
        "flaky",
        "independent",
        "after_independent",
        "flaky",
        "after_flaky",
    ]
    report = _report(run)
    assert report["try_number"] == 2
    tries = {k: v["try_number"] for k, v in report["assets"].items()}
    assert tries == {
        "fz_retry_source": 1,
        "fz_retry_flaky": 2,
        "fz_retry_after_flaky": 2,
        "fz_retry_independent": 1,
        "fz_retry_after_independent": 1,
    }
    # Events of both tries' assets are emitted once, by the try that succeeded.
    for name in ("source", "flaky", "after_flaky", "independent", "after_independent"):
        assert len(asset_events(f"fz_retry_{name}")) == 1, name
    assert asset_events("fz_retry_independent")[0]["checks"][0]["passed"] is True


def test_a_failed_task_emits_no_event_and_reports_each_asset(
    load_dag_file: Callable[..., Any], tmp_path: Path
) -> None:
    dag, _, fail_once = _diamond(load_dag_file, tmp_path, "fz_fail")
    fail_once.touch()
    run = dag.test(run_conf={"fz_fail_independent__fail_check": False, "assets": None})
    assert run.state == "failed"
    assert _statuses(run) == {
        "fz_fail_source": "materialized",
        "fz_fail_flaky": "failed",
        "fz_fail_after_flaky": "skipped",
        "fz_fail_independent": "materialized",
        "fz_fail_after_independent": "materialized",
    }
    report = _report(run)
    assert "flaky asset failed on purpose" in report["assets"]["fz_fail_flaky"]["error"]
    assert "flaky asset failed on purpose" in report["error"]
    assert asset_events("fz_fail_source") == []


def test_a_failed_blocking_check_holds_back_downstream_and_is_not_retried(
    load_dag_file: Callable[..., Any], tmp_path: Path
) -> None:
    dag, log, _ = _diamond(load_dag_file, tmp_path, "fz_block", retries=2)
    run = dag.test(run_conf={"fz_block_independent__fail_check": True, "assets": None})
    assert run.state == "failed"
    statuses = _statuses(run)
    assert statuses["fz_block_independent"] == "blocked"
    assert statuses["fz_block_after_independent"] == "skipped"
    assert statuses["fz_block_after_flaky"] == "materialized"
    assert _ran(log).count("independent") == 1  # AirflowFailException: no retry
    assert asset_events("fz_block_independent") == []


def test_the_assets_param_selects_and_unselected_assets_get_no_event(
    load_dag_file: Callable[..., Any], tmp_path: Path
) -> None:
    dag, log, _ = _diamond(load_dag_file, tmp_path, "fz_sel")
    first = dag.test(run_conf={"fz_sel_independent__fail_check": False, "assets": None})
    assert first.state == "success"
    _ran(log)
    run = dag.test(
        run_conf={
            "fz_sel_independent__fail_check": False,
            "assets": ["fz_sel_after_flaky", "fz_sel_after_independent"],
        }
    )
    assert run.state == "success"
    assert sorted(_ran(log)) == ["after_flaky", "after_independent"]
    statuses = _statuses(run)
    assert statuses["fz_sel_source"] == "not_selected"
    assert statuses["fz_sel_after_flaky"] == "materialized"
    assert len(asset_events("fz_sel_source")) == 1  # only the first run's
    assert len(asset_events("fz_sel_after_flaky")) == 2


def test_an_asset_job_chooses_fused_for_its_dag_only(load_dag_file: Callable[..., Any]) -> None:
    dags = load_dag_file(
        "fz_job.py",
        """
        from asset2airflow import Definitions, asset, define_asset_job
        from asset2airflow.airflow import build_dags

        @asset(group_name="fz_job_rest")
        def fz_job_a() -> int:
            return 1

        @asset(group_name="fz_job_rest")
        def fz_job_b(fz_job_a: int) -> int:
            return fz_job_a + 1

        @asset(group_name="fz_job_rest")
        def fz_job_c() -> int:
            return 3

        build_dags(
            Definitions(
                assets=[fz_job_a, fz_job_b, fz_job_c],
                jobs=[define_asset_job("fz_job", ["fz_job_a", "fz_job_b"], execution="fused")],
            )
        )
        """,
    )
    assert list(dags["fz_job"].task_dict) == ["materialize"]
    assert list(dags["fz_job_rest"].task_dict) == ["fz_job_c"]
    run = dags["fz_job"].test()
    assert run.state == "success"
    assert [len(asset_events(n)) for n in ("fz_job_a", "fz_job_b")] == [1, 1]


def test_a_fused_partitioned_run_gives_each_event_its_partition(
    load_dag_file: Callable[..., Any],
) -> None:
    dag = load_dag_file(
        "fz_regions.py",
        """
        from asset2airflow import (AssetExecutionContext, Definitions,
                                   StaticPartitionsDefinition, asset)
        from asset2airflow.airflow import build_dags

        REGIONS = StaticPartitionsDefinition(["eu", "us"])

        @asset(group_name="fz_regions", partitions_def=REGIONS)
        def fz_region_sales(context: AssetExecutionContext) -> str:
            return "sales of " + context.partition_key

        @asset(group_name="fz_regions", partitions_def=REGIONS)
        def fz_region_report(fz_region_sales: str) -> str:
            return fz_region_sales.upper()

        build_dags(Definitions(assets=[fz_region_sales, fz_region_report]), execution="fused")
        """,
    )["fz_regions"]
    run = dag.test(run_conf={"partition_key": "us", "assets": None})
    assert run.state == "success"
    [report] = asset_events("fz_region_report")
    assert report["partition"] == "us"
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        keys = (
            session.query(AssetEvent.partition_key)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetModel.name.in_(["fz_region_sales", "fz_region_report"]))
            .all()
        )
    assert [k for (k,) in keys] == ["us", "us"]
    with pytest.raises(Exception, match="'asia' is not one of"):  # the trigger form's enum
        dag.test(run_conf={"partition_key": "asia", "assets": None})
    assert len(asset_events("fz_region_sales")) == 1


def test_the_demo_marts_run_fused_on_the_sales_pipelines_data(
    sales_dag_file: Path, load_dag_file: Callable[..., Any]
) -> None:
    marts = sales_dag_file.with_name("sales_marts.py")
    sales = load_dag_file(sales_dag_file.name, sales_dag_file.read_text())["sales"]
    dag = load_dag_file(marts.name, (REPO_DAGS / "sales_marts.py").read_text())["sales_marts"]
    assert list(dag.task_dict) == ["materialize"]
    assert [a.name for a in dag.timetable.asset_condition.objects] == ["cleaned_sales"]
    assert sales.test().state == "success"
    run = dag.test()
    assert run.state == "success"
    statuses = _statuses(run)
    assert len(statuses) == 7 and set(statuses.values()) == {"materialized"}
    [best] = asset_events("best_region")[-1:]
    assert best["metadata"]["region"]["value"] == "west"  # dags/data/sales.csv
    north = asset_events("north_sales")[-1]["metadata"]
    assert north["orders"]["value"] > 0 and north["amount"]["value"] > 0
