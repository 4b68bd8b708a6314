"""Small marts on top of the sales pipeline, fused into one Airflow task.

Each mart is a few lines of pandas: run as a task per asset, Airflow's per-task overhead (a
process, this file parsed again) would be nearly all of the run. `execution="fused"` runs them
all in one task, which still gives Airflow one asset event per mart. The DAG runs whenever the
sales pipeline has materialized `cleaned_sales`.
"""

import pandas as pd

from asset2airflow import (
    AssetsDefinition,
    AssetSpec,
    Definitions,
    MaterializeResult,
    ParquetIOManager,
    asset,
    define_asset_job,
)
from asset2airflow.airflow import build_dags

REGIONS = ("north", "south", "east", "west")


def region_sales(region: str) -> AssetsDefinition:
    """A mart per region (an asset factory, as in Dagster)."""

    @asset(
        name=f"{region}_sales",
        group_name="sales_marts",
        kinds={"pandas"},
        description=f"Cleaned sales of the {region} region.",
    )
    def sales_of_region(cleaned_sales: pd.DataFrame) -> MaterializeResult:
        rows = cleaned_sales[cleaned_sales["region"] == region]
        return MaterializeResult(
            value=rows, metadata={"orders": len(rows), "amount": float(rows["amount"].sum())}
        )

    return sales_of_region


@asset(group_name="sales_marts", kinds={"pandas"})
def sales_by_region(cleaned_sales: pd.DataFrame) -> pd.DataFrame:
    """Total amount and order count per region."""
    grouped = cleaned_sales.groupby("region", as_index=False)
    return grouped.agg(amount=("amount", "sum"), orders=("order_id", "count"))


@asset(group_name="sales_marts", kinds={"pandas"})
def largest_orders(cleaned_sales: pd.DataFrame) -> pd.DataFrame:
    """The five largest orders."""
    return cleaned_sales.nlargest(5, "amount")


@asset(group_name="sales_marts", kinds={"pandas"})
def best_region(sales_by_region: pd.DataFrame) -> MaterializeResult:
    """The region with the most sales."""
    best = sales_by_region.sort_values("amount", ascending=False).head(1)
    return MaterializeResult(value=best, metadata={"region": str(best["region"].iloc[0])})


defs = Definitions(
    assets=[
        AssetSpec("cleaned_sales"),  # made by the sales DAG (dags/sales_pipeline.py)
        sales_by_region,
        largest_orders,
        best_region,
        *(region_sales(region) for region in REGIONS),
    ],
    resources={"io_manager": ParquetIOManager()},
    # One DAG, "sales_marts", run as one task. (`build_dags(defs, execution="fused")` would fuse
    # every DAG of the file; a job says it where `asset2airflow dags` and `validate` see it.)
    jobs=[define_asset_job("sales_marts", "group:sales_marts", execution="fused")],
)

build_dags(defs)
