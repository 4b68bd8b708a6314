"""DAG plans are plain data: DAG rules, tasks, edges, outlets, schedules and params."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from asset2airflow import (
    AssetCheckResult,
    AssetSelection,
    AssetSpec,
    AutomationCondition,
    Backoff,
    Config,
    Definitions,
    DuplicateKeyError,
    FilesystemIOManager,
    RetryPolicy,
    asset,
    asset_check,
    define_asset_job,
)
from asset2airflow.airflow.dag_plan import SchedulePlan
from asset2airflow.airflow.params import run_config_from_params, selected_keys
from asset2airflow.airflow.plan import build_dag_plans
from asset2airflow.errors import ConfigError


class Window(Config):
    days: int = 7
    region: str


@asset(
    group_name="ingest",
    retry_policy=RetryPolicy(max_retries=3, delay=10, backoff=Backoff.EXPONENTIAL),
)
def orders() -> int:
    return 1


@asset(group_name="ingest", owners=["ann@example.com"], tags={"tier": "gold"})
def customers() -> int:
    return 2


@asset(group_name="reporting", description="Orders per customer.")
def report(orders: int, customers: int, config: Window) -> int:
    return orders + customers


@asset_check(asset=orders, blocking=True)
def orders_positive(orders: int) -> AssetCheckResult:
    return AssetCheckResult(passed=orders > 0)


def make_defs(**kwargs: object) -> Definitions:
    return Definitions(
        assets=[orders, customers, report],
        asset_checks=[orders_positive],
        resources={"io_manager": FilesystemIOManager(base_dir="/data/lake")},
        **kwargs,  # type: ignore[arg-type]
    )


def test_one_dag_per_group_with_cross_dag_asset_schedule() -> None:
    ingest, reporting = build_dag_plans(make_defs())
    assert (ingest.dag_id, reporting.dag_id) == ("ingest", "reporting")
    assert [t.task_id for t in ingest.tasks] == ["customers", "orders"]
    orders_task = ingest.tasks[1]
    assert orders_task.check_names == ("orders:orders_positive",)
    assert orders_task.outlets[0].name == "orders"
    assert orders_task.outlets[0].uri == "file:///data/lake/orders.pickle"
    assert orders_task.outlets[0].group == "ingest"
    assert (
        orders_task.retries,
        orders_task.retry_delay_seconds,
        orders_task.retry_exponential_backoff,
    ) == (3, 10.0, 2.0)
    assert ingest.schedule == SchedulePlan()
    assert bool(reporting.schedule.upstream) and reporting.schedule.cron is None
    assert [a.name for a in reporting.schedule.upstream] == ["customers", "orders"]
    assert reporting.schedule.upstream[1] == orders_task.outlets[0]
    assert "tier:gold" in ingest.tags and "group:ingest" in ingest.tags
    assert ingest.owner == "ann@example.com"
    assert reporting.tasks[0].doc_md == "**report**: Orders per customer."
    # Each task declares what it reads as inlets, the same Airflow assets as their outlets.
    inlets = reporting.tasks[0].inlets
    assert sorted(inlets, key=str) == sorted(reporting.schedule.upstream, key=str)
    assert ingest.tasks[1].inlets == ()


def test_jobs_become_dags_and_the_rest_stays_in_groups() -> None:
    job = define_asset_job(
        "nightly", AssetSelection.groups("ingest") | AssetSelection.assets(report)
    )
    plans = build_dag_plans(make_defs(jobs=[job]))
    assert [p.dag_id for p in plans] == ["nightly"]
    [nightly] = plans
    assert [t.task_id for t in nightly.tasks] == ["customers", "orders", "report"]
    assert nightly.tasks[2].upstream_task_ids == ("customers", "orders")
    assert nightly.schedule == SchedulePlan()


def test_dag_per_asset_and_prefix() -> None:
    plans = build_dag_plans(make_defs(), dag_per="asset", dag_id_prefix="a2a_")
    assert [p.dag_id for p in plans] == ["a2a_customers", "a2a_orders", "a2a_report"]
    assert [a.name for a in plans[2].schedule.upstream] == ["customers", "orders"]


def test_job_named_like_a_group_is_rejected() -> None:
    job = define_asset_job("reporting", AssetSelection.assets("orders"))
    with pytest.raises(
        DuplicateKeyError,
        match="DAG id 'reporting' would be made twice: by job 'reporting' and by asset group "
        "'reporting'",
    ):
        build_dag_plans(make_defs(jobs=[job]))


def test_external_upstream_is_referenced_by_name_and_cron_combines() -> None:
    @asset(
        deps=["warehouse/events"],
        automation_condition=AutomationCondition.on_cron("0 6 * * *", "Europe/Paris"),
    )
    def sessions() -> int:
        return 1

    [plan] = build_dag_plans(Definitions(assets=[AssetSpec("warehouse/events"), sessions]))
    assert bool(plan.schedule.upstream and plan.schedule.cron)
    assert plan.schedule.upstream[0].name == "warehouse/events"
    assert plan.schedule.upstream[0].uri is None
    assert (plan.schedule.cron, plan.schedule.timezone) == ("0 6 * * *", "Europe/Paris")


def test_params_are_typed_from_config_and_map_back_to_run_config() -> None:
    _, reporting = build_dag_plans(make_defs())
    by_name = {p.name: p for p in reporting.params}
    assert set(by_name) == {"report__days", "report__region"}  # one asset: no selection param
    assert by_name["report__days"].schema == {"type": "integer"}
    assert by_name["report__days"].default == 7
    assert not by_name["report__region"].has_default
    config = run_config_from_params({"report__region": "eu"}, reporting.params)
    assert config == {"ops": {"report": {"config": {"days": 7, "region": "eu"}}}}
    ingest, _ = build_dag_plans(make_defs())
    [assets_param] = ingest.params
    # Airflow 3.3's form renders a multi-select from top-level "examples"; null = cleared.
    assert assets_param.schema == {
        "type": ["array", "null"],
        "examples": ["customers", "orders"],
        "items": {"type": "string", "enum": ["customers", "orders"]},
        "uniqueItems": True,
    }
    assert assets_param.default is None
    assert "empty" in (assets_param.description or "").lower()
    assert selected_keys({"assets": None}, ingest.asset_keys) == {"customers", "orders"}
    assert selected_keys({"assets": []}, ingest.asset_keys) == {"customers", "orders"}
    assert selected_keys({"assets": ["orders"]}, ingest.asset_keys) == {"orders"}
    with pytest.raises(ConfigError, match=r"\['nope'\]"):
        selected_keys({"assets": ["nope"]}, ingest.asset_keys)


def test_plans_are_identical_for_identical_definitions(
    load_definitions: Callable[[Path], Definitions], sales_pipeline_path: Path
) -> None:
    first = build_dag_plans(load_definitions(sales_pipeline_path))
    second = build_dag_plans(load_definitions(sales_pipeline_path))
    assert first == second


def test_huge_dags_take_the_selection_from_conf_instead_of_a_param() -> None:
    from asset2airflow import AssetIn
    from asset2airflow.airflow.params import MAX_SELECTABLE_ASSETS

    def child(parent: int) -> int:
        return parent

    roots = [asset(name="h0")(lambda: 0)]
    chain = [
        asset(name=f"h{i}", ins={"parent": AssetIn(f"h{i - 1}")})(child)
        for i in range(1, MAX_SELECTABLE_ASSETS + 1)
    ]
    [plan] = build_dag_plans(Definitions(assets=roots + chain))
    assert len(plan.asset_keys) == MAX_SELECTABLE_ASSETS + 1
    assert [p.name for p in plan.params] == []  # Airflow copies params into every task
    assert selected_keys({"assets": ["h3"]}, plan.asset_keys) == {"h3"}
