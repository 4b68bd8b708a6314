"""A daily-partitioned asset stored by SQLTableIOManager in the deployment's Postgres (DAG
"warehouse"): the URL (no password: trust auth on loopback) comes from the environment every
Airflow component shares."""

import os

import pandas as pd

from asset2airflow import (
    AssetCheckResult,
    AssetExecutionContext,
    Config,
    DailyPartitionsDefinition,
    Definitions,
    SQLTableIOManager,
    asset,
    asset_check,
)
from asset2airflow.airflow import build_dags


class Batch(Config):
    rows: int = 3
    amount: float = 1.0


@asset(
    key_prefix="analytics",
    group_name="warehouse",
    partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"),
    metadata={"partition_expr": "day"},
    io_manager_key="warehouse",
)
def orders(context: AssetExecutionContext, config: Batch) -> pd.DataFrame:
    context.log.info("writing %d rows for %s", config.rows, context.partition_key)
    return pd.DataFrame({"order_id": range(config.rows), "amount": [config.amount] * config.rows})


@asset_check(asset=orders, blocking=True)
def has_rows(orders: pd.DataFrame) -> AssetCheckResult:
    return AssetCheckResult(passed=len(orders) > 0, metadata={"rows": len(orders)})


build_dags(
    Definitions(
        assets=[orders],
        asset_checks=[has_rows],
        resources={"warehouse": SQLTableIOManager(url=os.environ["A2A_WAREHOUSE_URL"])},
    )
)
