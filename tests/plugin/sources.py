"""DAG files the plugin tests run in Airflow (in-process with ``dag.test()`` and on a real
``airflow standalone``): checks that fail, a daily-partitioned asset with failed partitions,
and user strings that try to inject markup and scripts."""

from __future__ import annotations

XSS = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'

QUALITY = """
from asset2airflow import (AssetCheckResult, AssetCheckSeverity, Config, Definitions,
                           MaterializeResult, MetadataValue, asset, asset_check)
from asset2airflow.airflow import build_dags

XSS = XSS_LITERAL


class OrdersConfig(Config):
    fail_check: bool = False


@asset(
    group_name="plugin_quality",
    description="Orders **from the shop**. " + XSS + " [docs](javascript:window.__pwned=3)",
    metadata={"owner_page": MetadataValue.url("javascript:window.__pwned=4"), "tier": "gold"},
    owners=["quality-team@example.com"],
    kinds={"python"},
)
def plugin_orders(config: OrdersConfig) -> MaterializeResult:
    orders = [-5, 3] if config.fail_check else [5, 7]
    return MaterializeResult(
        value=orders,
        metadata={
            "rows": len(orders),
            "note": MetadataValue.md("**Loaded** " + XSS + " [x](javascript:window.__pwned=5)"),
            "raw_html": XSS,
            "link": MetadataValue.url("javascript:window.__pwned=6"),
            "docs": MetadataValue.url("https://example.com/orders"),
            "sample": MetadataValue.table([{"id": 1, "amount": orders[0]}]),
        },
    )


@asset_check(asset=plugin_orders, blocking=True, description="No negative amounts.")
def plugin_orders_positive(plugin_orders: list) -> AssetCheckResult:
    bad = sum(1 for o in plugin_orders if o <= 0)
    return AssetCheckResult(passed=bad == 0, metadata={"negative_rows": bad})


@asset_check(asset=plugin_orders, description="Warns: there are always too few orders.")
def plugin_orders_volume(plugin_orders: list) -> AssetCheckResult:
    return AssetCheckResult(
        passed=len(plugin_orders) > 100, severity=AssetCheckSeverity.WARN,
        description=XSS, metadata={"count": len(plugin_orders)},
    )


@asset(group_name="plugin_quality_reports")
def plugin_order_report(plugin_orders: list) -> int:
    return sum(plugin_orders)


build_dags(Definitions(assets=[plugin_orders, plugin_order_report],
                       asset_checks=[plugin_orders_positive, plugin_orders_volume]))
""".replace("XSS_LITERAL", repr(XSS))

PARTITIONS = """
from asset2airflow import (AssetCheckResult, AssetExecutionContext, DailyPartitionsDefinition,
                           Definitions, DynamicPartitionsDefinition, MaterializeResult, asset,
                           asset_check)
from asset2airflow.airflow import build_dags

days = DailyPartitionsDefinition(start_date="2024-01-01")
uploads = DynamicPartitionsDefinition("plugin_uploads")


@asset(group_name="plugin_days", partitions_def=days)
def plugin_daily_sales(context: AssetExecutionContext) -> MaterializeResult:
    day = context.partition_key
    if day.endswith("-04"):
        raise ValueError(f"the source has no file for {day}")
    return MaterializeResult(value=[day], metadata={"day": day})


@asset_check(asset=plugin_daily_sales, blocking=True)
def plugin_daily_sales_complete(plugin_daily_sales: list) -> AssetCheckResult:
    return AssetCheckResult(passed=not plugin_daily_sales[0].endswith("-03"))


@asset(group_name="plugin_uploads", partitions_def=uploads)
def plugin_upload(context: AssetExecutionContext) -> str:
    return context.partition_key


build_dags(Definitions(assets=[plugin_daily_sales, plugin_upload],
                       asset_checks=[plugin_daily_sales_complete]))
"""

DAYS_OK = ("2024-01-01", "2024-01-02", "2024-01-05")
DAY_CHECK_FAILS = "2024-01-03"
DAY_FAILS = "2024-01-04"
UPLOADS = ("first.csv", "second.csv")

FUSED = """
from asset2airflow import Config, Definitions, asset
from asset2airflow.airflow import build_dags


class Flag(Config):
    fail: bool = False


@asset(group_name="plugin_fused")
def plugin_fused_ok() -> int:
    return 1


@asset(group_name="plugin_fused")
def plugin_fused_bad(config: Flag) -> int:
    if config.fail:
        raise ValueError("plugin_fused_bad failed on purpose")
    return 2


build_dags(Definitions(assets=[plugin_fused_ok, plugin_fused_bad]), execution="fused")
"""

# A dags folder whose second file reads the first file's asset through ``AssetSpec``; the reader
# also has a graph-backed asset (ops inside) reading it, and a fused DAG.
SPEC_SOURCE = """
from asset2airflow import Definitions, asset
from asset2airflow.airflow import build_dags


@asset(group_name="plugin_spec")
def plugin_spec_upstream() -> list:
    return [1, 2, 3]


build_dags(Definitions(assets=[plugin_spec_upstream]))
"""

SPEC_READER = """
from asset2airflow import AssetSpec, Definitions, asset, define_asset_job, graph_asset, op
from asset2airflow.airflow import build_dags


@asset(group_name="plugin_spec_reader")
def plugin_spec_downstream(plugin_spec_upstream: list) -> int:
    return sum(plugin_spec_upstream)


@op
def plugin_spec_double(values: list) -> list:
    return [v * 2 for v in values]


@graph_asset(group_name="plugin_spec_reader")
def plugin_spec_graph(plugin_spec_upstream):
    return plugin_spec_double(plugin_spec_upstream)


@asset(group_name="plugin_spec_fused")
def plugin_spec_fused_a(plugin_spec_downstream: int) -> int:
    return plugin_spec_downstream + 1


@asset(group_name="plugin_spec_fused")
def plugin_spec_fused_b(plugin_spec_fused_a: int) -> int:
    return plugin_spec_fused_a + 1


defs = Definitions(
    assets=[
        AssetSpec("plugin_spec_upstream"),  # made by plugin_spec_source.py
        plugin_spec_downstream,
        plugin_spec_graph,
        plugin_spec_fused_a,
        plugin_spec_fused_b,
    ],
    jobs=[define_asset_job("plugin_spec_fused", "group:plugin_spec_fused", execution="fused")],
)
build_dags(defs)
"""

# A statically partitioned asset whose blocking check fails on partition "b" only; it is run for
# "a", "b", then "c", so the latest result of the check (on "c") passed.
PARTITION_CHECKS = """
from asset2airflow import (AssetCheckResult, AssetExecutionContext, Definitions,
                           StaticPartitionsDefinition, asset, asset_check)
from asset2airflow.airflow import build_dags


@asset(group_name="plugin_regions", partitions_def=StaticPartitionsDefinition(["a", "b", "c"]))
def plugin_region(context: AssetExecutionContext) -> str:
    return context.partition_key


@asset_check(asset=plugin_region, blocking=True, description="Region b is never valid.")
def plugin_region_valid(plugin_region: str) -> AssetCheckResult:
    return AssetCheckResult(passed=plugin_region != "b", metadata={"region": plugin_region})


build_dags(Definitions(assets=[plugin_region], asset_checks=[plugin_region_valid]))
"""
REGION_RUNS = ("a", "b", "c")

# A task DAG seen as assets (``migrate.observe``): its load task reads the asset of
# plugin_spec_source.py and writes a table no asset module builds.
OBSERVED = """
import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG
from asset2airflow.migrate import observe

with DAG("plugin_observed", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
         catchup=False) as dag:
    EmptyOperator(task_id="load")

observe(dag, {"load": {"outlets": ["plugin_observed_table"], "inlets": ["plugin_spec_upstream"]}})
"""
