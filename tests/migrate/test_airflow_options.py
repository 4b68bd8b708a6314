"""The compiler's extension points the migration writes: ``airflow_task`` pins a task id,
Airflow assets and operator arguments; ``airflow_dag`` pins a DAG id and ``DAG(...)``
arguments. Plain data in the plan (no Airflow), then in the built DAG."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from asset2airflow import AssetIn, Definitions, asset
from asset2airflow.airflow.arguments import dag_arguments, task_arguments
from asset2airflow.airflow.compiled import CompiledDag
from asset2airflow.airflow.plan import AssetRefPlan, build_dag_plans
from asset2airflow.authoring.airflow_decorators import airflow_dag, airflow_task
from asset2airflow.authoring.airflow_options import AirflowAssetRef
from asset2airflow.errors import DefinitionError


@airflow_task(task_id="extract.orders", pool="db", trigger_rule="all_done", retries=3)
@asset
def orders() -> list[int]:
    return [1, 2]


@airflow_task(assets={"report": AirflowAssetRef("s3://bucket/report.csv", group="reports")})
@asset(ins={"orders": AssetIn("orders")})
def report(orders: list[int]) -> int:
    return sum(orders)


@asset
def plain(report: int) -> int:
    return report


def _defs(**dag: Any) -> Definitions:
    return Definitions(
        assets=[orders, report, plain], jobs=[airflow_dag("legacy-orders.v2", **dag)]
    )


def test_pinned_task_id_arguments_and_airflow_asset_reach_the_plan() -> None:
    [plan] = build_dag_plans(_defs(schedule="@daily", tags=["legacy"], params={}))
    assert plan.dag_id == "legacy-orders.v2"
    tasks = {t.task_id: t for t in plan.tasks}
    assert sorted(tasks) == ["extract.orders", "plain", "report"]
    assert tasks["report"].upstream_task_ids == ("extract.orders",)
    assert tasks["report"].outlets == (
        AssetRefPlan("s3://bucket/report.csv", "s3://bucket/report.csv", "reports", {}),
    )
    # Downstream tasks read the pinned asset under its Airflow identity too.
    assert tasks["plain"].inlets == tasks["report"].outlets
    arguments = task_arguments(tasks["extract.orders"])
    assert (arguments["pool"], arguments["trigger_rule"], arguments["retries"]) == (
        "db",
        "all_done",
        3,
    )
    assert task_arguments(tasks["plain"])["trigger_rule"] == "none_failed"  # not pinned


def test_pinned_dag_arguments_replace_the_derived_ones() -> None:
    [plan] = build_dag_plans(
        _defs(schedule="@daily", tags=["legacy"], params={}, default_args={"owner": "ops"})
    )
    arguments = dag_arguments(plan)
    assert arguments["schedule"] == "@daily"
    assert arguments["tags"] == ["legacy"]
    assert arguments["params"] == {}  # no "assets" selection param
    assert arguments["default_args"] == {"owner": "ops"}
    assert plan.params == ()
    [derived] = build_dag_plans(_defs())
    assert "assets" in {p.name for p in derived.params}  # unpinned: the compiler's own


def test_compiled_dag_finds_steps_by_pinned_task_id() -> None:
    defs = _defs()
    [plan] = build_dag_plans(defs)
    compiled = CompiledDag(defs, plan)
    step = compiled.step_for("extract.orders", {"orders", "report", "plain"})
    assert step is not None and step.name == "orders"
    assert compiled.task_asset_keys["report"] == ("report",)


def test_wrong_pins_are_refused_with_the_fix() -> None:
    with pytest.raises(DefinitionError, match="not a valid Airflow id"):
        airflow_task(task_id="has space")
    with pytest.raises(DefinitionError, match="dag= cannot be given as an Airflow argument"):
        airflow_task(dag=None)(orders)
    with pytest.raises(DefinitionError, match="names \\['other'\\], which it does not produce"):
        airflow_task(assets={"other": AirflowAssetRef("x")})(plain)
    with pytest.raises(DefinitionError, match="above @asset"):
        airflow_task(pool="x")(lambda: 1)  # type: ignore[arg-type]
    with pytest.raises(DefinitionError, match="is not a valid Airflow id"):
        airflow_dag("no spaces please")


@pytest.mark.integration
def test_built_dag_has_the_pinned_settings(load_dag_file: Any) -> None:
    dags = load_dag_file(
        "pinned_dag.py",
        """
        from datetime import timedelta
        import pendulum
        from asset2airflow import Definitions, asset
        from asset2airflow.airflow import build_dags
        from asset2airflow.migrate import airflow_dag, airflow_task

        @airflow_task(task_id="group.first", retry_delay=timedelta(seconds=5), retries=1,
                      is_setup=True)
        @asset
        def first() -> int:
            return 1

        @airflow_task(trigger_rule="all_success")  # a setup task's downstream needs it
        @asset
        def second(first: int) -> int:
            return first + 1

        defs = Definitions(assets=[first, second], jobs=[airflow_dag(
            "legacy.dag", schedule="0 3 * * *", catchup=True, tags=["a"], params={},
            start_date=pendulum.datetime(2023, 5, 1, tz="Europe/Paris"),
            default_args={"owner": "ops", "retries": 2}, max_active_runs=2)])
        build_dags(defs)
        """,
    )
    dag = dags["legacy.dag"]
    assert dag.catchup is True and dag.max_active_runs == 2 and sorted(dag.tags) == ["a"]
    assert str(dag.timezone.name) == "Europe/Paris"
    assert dag.timetable.expression == "0 3 * * *"
    first, second = dag.get_task("group.first"), dag.get_task("second")
    assert (first.retries, first.retry_delay, first.is_setup) == (1, timedelta(seconds=5), True)
    assert (second.retries, second.owner) == (2, "ops")  # the DAG's default_args apply
    assert second.upstream_task_ids == {"group.first"}
