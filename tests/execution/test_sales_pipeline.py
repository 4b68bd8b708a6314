"""The tutorial's sales pipeline, materialized in-process exactly as a Dagster user would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from asset2airflow import Definitions, ParquetIOManager, materialize
from asset2airflow.execution import execute_definitions


def test_sales_pipeline_materializes_and_checks(
    load_definitions: Callable[[Path], Definitions], sales_pipeline_path: Path, tmp_path: Path
) -> None:
    defs = load_definitions(sales_pipeline_path)
    result = execute_definitions(defs)
    assert result.success
    summary = result.output_for_node("daily_sales_summary")
    assert list(summary["order_date"]) == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert list(summary["amount"]) == [200.5, 145.24, 258.3]
    [raw] = result.asset_materializations_for_node("raw_sales")
    assert raw.metadata["row_count"].value == 9
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed and evaluation.check_name == "amounts_are_positive"
    assert evaluation.metadata["non_positive_rows"].value == 0
    # The values really went through the Parquet IO manager into the default storage dir.
    stored = ParquetIOManager().storage_uri(defs.get_assets_def("cleaned_sales").key)
    assert stored is not None and Path(stored.removeprefix("file://")).exists()


def test_sales_assets_with_materialize_and_a_selection(
    load_definitions: Callable[[Path], Definitions], sales_pipeline_path: Path
) -> None:
    defs = load_definitions(sales_pipeline_path)
    assets = [defs.get_assets_def(k) for k in ("raw_sales", "cleaned_sales", "daily_sales_summary")]
    materialize(assets, resources=defs.resources)
    # Re-run only the last asset: its upstream loads from storage.
    result = materialize(assets, resources=defs.resources, selection=["daily_sales_summary"])
    assert result.success
    assert [o.step.name for o in result.step_outcomes] == ["daily_sales_summary"]
    assert isinstance(result.output_for_node("daily_sales_summary"), pd.DataFrame)


def test_sales_assets_are_callable_in_unit_tests(
    load_definitions: Callable[[Path], Definitions], sales_pipeline_path: Path
) -> None:
    defs = load_definitions(sales_pipeline_path)
    raw = pd.DataFrame(
        {
            "Order ID": [1, None],
            "Order Date": ["d", "d"],
            "Region": ["n", "s"],
            "Amount": [2.0, 3.0],
        }
    )
    cleaned = defs.get_assets_def("cleaned_sales")(raw)
    assert list(cleaned.columns) == ["order_id", "order_date", "region", "amount"]
    assert len(cleaned) == 1
