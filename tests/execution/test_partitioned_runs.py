"""Partitioned runs through the engine: mappings decide which upstream partitions an input
loads, contexts answer Dagster's partition questions, IO managers store per partition."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from asset2airflow import (
    AssetExecutionContext,
    AssetIn,
    DailyPartitionsDefinition,
    FilesystemIOManager,
    ParquetIOManager,
    PartitionKeyRange,
    SQLTableIOManager,
    StaticPartitionsDefinition,
    TimeWindowPartitionMapping,
    WeeklyPartitionsDefinition,
    asset,
    materialize,
)
from asset2airflow.errors import PartitionError

DAILY = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")
WEEKLY = WeeklyPartitionsDefinition(start_date="2024-01-07", end_date="2024-02-01")


@asset(partitions_def=DAILY)
def daily_orders(context: AssetExecutionContext) -> int:
    return int(context.partition_key[-2:])  # the day of the month


def test_weekly_rollup_reads_its_seven_daily_partitions_as_a_dict(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    @asset(partitions_def=WEEKLY)
    def weekly_orders(context: AssetExecutionContext, daily_orders: dict[str, int]) -> int:
        seen["keys"] = context.asset_partition_keys_for_input("daily_orders")
        seen["range"] = context.asset_partition_key_range_for_input("daily_orders")
        seen["window"] = context.partition_time_window
        seen["input_window"] = context.asset_partitions_time_window_for_input("daily_orders")
        return sum(daily_orders.values())

    resources = {"io_manager": FilesystemIOManager(base_dir=str(tmp_path))}
    for day in range(7, 14):
        materialize([daily_orders], resources=resources, partition_key=f"2024-01-{day:02d}")
    result = materialize(
        [daily_orders, weekly_orders],
        resources=resources,
        partition_key="2024-01-07",
        selection="weekly_orders",
    )
    assert result.output_for_node("weekly_orders") == sum(range(7, 14))
    assert seen["keys"] == [f"2024-01-{d:02d}" for d in range(7, 14)]
    assert seen["range"] == PartitionKeyRange("2024-01-07", "2024-01-13")
    utc = dt.timezone.utc
    assert seen["window"].start == dt.datetime(2024, 1, 7, tzinfo=utc)
    assert seen["window"].end == dt.datetime(2024, 1, 14, tzinfo=utc)
    assert seen["input_window"] == seen["window"]


def test_a_missing_day_of_the_week_fails_naming_the_partition(tmp_path: Path) -> None:
    @asset(partitions_def=WEEKLY)
    def weekly_total(daily_orders: dict[str, int]) -> int:
        return sum(daily_orders.values())

    resources = {"io_manager": FilesystemIOManager(base_dir=str(tmp_path))}
    for day in (7, 8, 9):
        materialize([daily_orders], resources=resources, partition_key=f"2024-01-{day:02d}")
    result = materialize(
        [daily_orders, weekly_total],
        resources=resources,
        partition_key="2024-01-07",
        selection="weekly_total",
        raise_on_error=False,
    )
    assert not result.success
    assert "2024-01-10" in str(result.errors[0])


def test_previous_day_input_and_single_key_accessors(tmp_path: Path) -> None:
    @asset(
        partitions_def=DAILY,
        ins={"daily_orders": AssetIn(partition_mapping=TimeWindowPartitionMapping(-1, -1))},
    )
    def day_over_day(context: AssetExecutionContext, daily_orders: int) -> str:
        return (
            f"{context.partition_key} vs {context.asset_partition_key_for_input('daily_orders')}"
            f" = {daily_orders}"
        )

    resources = {"io_manager": FilesystemIOManager(base_dir=str(tmp_path))}
    materialize([daily_orders], resources=resources, partition_key="2024-01-04")
    result = materialize(
        [daily_orders, day_over_day],
        resources=resources,
        partition_key="2024-01-05",
        selection="day_over_day",
    )
    assert result.output_for_node("day_over_day") == "2024-01-05 vs 2024-01-04 = 4"


def test_unpartitioned_downstream_reads_every_partition(tmp_path: Path) -> None:
    regions = StaticPartitionsDefinition(["eu", "us"])

    @asset(partitions_def=regions, io_manager_key="parquet")
    def sales(context: AssetExecutionContext) -> pd.DataFrame:
        return pd.DataFrame(
            {"region": [context.partition_key], "amount": [len(context.partition_key)]}
        )

    @asset
    def all_sales(sales: pd.DataFrame) -> int:
        return len(sales)

    resources = {
        "io_manager": FilesystemIOManager(base_dir=str(tmp_path)),
        "parquet": ParquetIOManager(base_dir=str(tmp_path / "pq")),
    }
    for region in ("eu", "us"):
        materialize([sales], resources=resources, partition_key=region)
    # Parquet delivers the partitions' rows as one DataFrame.
    result = materialize([sales, all_sales], resources=resources, selection="all_sales")
    assert result.output_for_node("all_sales") == 2


@pytest.mark.parametrize("manager", ["parquet", "sql"])
def test_frame_managers_concatenate_the_partitions_an_input_reads(
    tmp_path: Path, manager: str
) -> None:
    io_manager = (
        ParquetIOManager(base_dir=str(tmp_path))
        if manager == "parquet"
        else SQLTableIOManager(url=f"sqlite:///{tmp_path / 'w.db'}")
    )

    @asset(partitions_def=DAILY, metadata={"partition_expr": "day"}, io_manager_key="frames")
    def events(context: AssetExecutionContext) -> pd.DataFrame:
        return pd.DataFrame({"day": [context.partition_key] * 2, "n": [1, 2]})

    @asset(partitions_def=WEEKLY)
    def weekly_events(events: pd.DataFrame) -> int:
        return int(events["n"].sum()) * 100 + len(set(events["day"]))

    resources = {"frames": io_manager, "io_manager": FilesystemIOManager(base_dir=str(tmp_path))}
    for day in range(7, 14):
        materialize([events], resources=resources, partition_key=f"2024-01-{day:02d}")
    result = materialize(
        [events, weekly_events], resources=resources, partition_key="2024-01-07",
        selection="weekly_events",
    )  # fmt: skip
    assert result.output_for_node("weekly_events") == 7 * 3 * 100 + 7


def test_one_run_cannot_mix_partitions_definitions() -> None:
    @asset(partitions_def=WEEKLY)
    def weekly_sum(daily_orders: dict[str, int]) -> int:
        return sum(daily_orders.values())

    with pytest.raises(PartitionError, match="different partitions.*separate runs"):
        materialize([daily_orders, weekly_sum], partition_key="2024-01-07")
