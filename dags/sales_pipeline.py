"""The tutorial's sales pipeline: raw_sales -> cleaned_sales -> daily_sales_summary.

Written exactly as in Dagster, with only the import changed: a resource reads the source, a
Parquet IO manager stores each DataFrame, and a blocking check guards the cleaned data.
"""

from pathlib import Path

import pandas as pd

from asset2airflow import (
    AssetCheckResult,
    AssetExecutionContext,
    ConfigurableResource,
    Definitions,
    MaterializeResult,
    MetadataValue,
    ParquetIOManager,
    asset,
    asset_check,
)
from asset2airflow.airflow import build_dags

SALES_CSV = Path(__file__).parent / "data" / "sales.csv"


class SalesSource(ConfigurableResource):
    """Where raw sales come from (a CSV path or URL)."""

    csv_path: str

    def read(self) -> pd.DataFrame:
        return pd.read_csv(self.csv_path)


@asset(group_name="sales", kinds={"pandas"}, owners=["data-team@example.com"])
def raw_sales(context: AssetExecutionContext, source: SalesSource) -> pd.DataFrame:
    """Extract raw sales records from the source CSV."""
    df = source.read()
    context.log.info("read %d raw sales rows", len(df))
    context.add_output_metadata({"row_count": len(df)})
    return df


@asset(group_name="sales", kinds={"pandas"})
def cleaned_sales(raw_sales: pd.DataFrame) -> pd.DataFrame:
    """Transform: drop nulls and normalize column names."""
    df = raw_sales.dropna(subset=["Order ID", "Amount"])
    df.columns = [c.strip().lower().replace(" ", "_") for c in df.columns]
    return df.astype({"order_id": "int64"})


@asset(group_name="sales", kinds={"pandas"})
def daily_sales_summary(cleaned_sales: pd.DataFrame) -> MaterializeResult:
    """Load: total sales per day."""
    summary = cleaned_sales.groupby("order_date", as_index=False)["amount"].sum().round(2)
    return MaterializeResult(
        value=summary,
        metadata={
            "days": len(summary),
            "preview": MetadataValue.md(summary.to_markdown(index=False)),
        },
    )


@asset_check(asset=cleaned_sales, blocking=True)
def amounts_are_positive(cleaned_sales: pd.DataFrame) -> AssetCheckResult:
    """Every cleaned sale has a positive amount."""
    bad = int((cleaned_sales["amount"] <= 0).sum())
    return AssetCheckResult(passed=bad == 0, metadata={"non_positive_rows": bad})


defs = Definitions(
    assets=[raw_sales, cleaned_sales, daily_sales_summary],
    asset_checks=[amounts_are_positive],
    resources={
        "source": SalesSource(csv_path=str(SALES_CSV)),
        "io_manager": ParquetIOManager(),
    },
)

# Turn the definitions into native Airflow DAGs when Airflow parses this file (one DAG per
# asset group: "sales"). Running the file outside Airflow just builds the DAG objects.
build_dags(defs)
