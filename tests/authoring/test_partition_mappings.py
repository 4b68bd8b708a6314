"""Partition mappings: which upstream partitions a downstream partition reads."""

from __future__ import annotations

import datetime as dt

import pytest

from asset2airflow import (
    AllPartitionMapping,
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    IdentityPartitionMapping,
    LastPartitionMapping,
    MonthlyPartitionsDefinition,
    MultiPartitionsDefinition,
    MultiToSingleDimensionPartitionMapping,
    SpecificPartitionsPartitionMapping,
    StaticPartitionMapping,
    StaticPartitionsDefinition,
    TimeWindowPartitionMapping,
    WeeklyPartitionsDefinition,
)
from asset2airflow.authoring.partition_mappings import infer_partition_mapping
from asset2airflow.errors import DefinitionError, PartitionError

DAILY = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-03-01")
WEEKLY = WeeklyPartitionsDefinition(start_date="2024-01-07", end_date="2024-03-01")
MONTHLY = MonthlyPartitionsDefinition(start_date="2024-01-01", end_date="2024-03-01")
REGIONS = StaticPartitionsDefinition(["eu", "us", "apac"])


def test_weekly_downstream_reads_the_seven_days_of_its_week() -> None:
    keys = TimeWindowPartitionMapping().upstream_keys(["2024-01-07"], WEEKLY, DAILY)
    assert keys == [f"2024-01-{d:02d}" for d in range(7, 14)]


def test_previous_day_mapping_and_the_first_day_has_no_previous() -> None:
    previous = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    assert previous.upstream_keys(["2024-01-05"], DAILY, DAILY) == ["2024-01-04"]
    with pytest.raises(PartitionError, match="outside the upstream's partitions"):
        previous.upstream_keys(["2024-01-01"], DAILY, DAILY)
    lenient = TimeWindowPartitionMapping(-1, -1, allow_nonexistent_upstream_partitions=True)
    assert lenient.upstream_keys(["2024-01-01"], DAILY, DAILY) == []


def test_trailing_window_and_coarser_upstream() -> None:
    last_three = TimeWindowPartitionMapping(start_offset=-2)
    assert last_three.upstream_keys(["2024-01-05"], DAILY, DAILY) == [
        "2024-01-03",
        "2024-01-04",
        "2024-01-05",
    ]
    assert TimeWindowPartitionMapping().upstream_keys(["2024-02-10"], DAILY, MONTHLY) == [
        "2024-02-01"
    ]


def test_daily_of_hourly_across_a_dst_change_in_a_local_timezone() -> None:
    hourly = HourlyPartitionsDefinition(
        start_date="2024-03-30-00:00", end_date="2024-04-02-00:00", timezone="Europe/Paris"
    )
    daily = DailyPartitionsDefinition(
        start_date="2024-03-30", end_date="2024-04-02", timezone="Europe/Paris"
    )
    # 31 March 2024 in Paris has 23 hours: 02:00 does not exist.
    keys = TimeWindowPartitionMapping().upstream_keys(["2024-03-31"], daily, hourly)
    assert len(keys) == 23
    assert keys[0] == "2024-03-31-00:00" and keys[-1] == "2024-03-31-23:00"
    assert "2024-03-31-02:00" not in keys


def test_identity_all_last_specific() -> None:
    assert IdentityPartitionMapping().upstream_keys(["eu"], REGIONS, REGIONS) == ["eu"]
    with pytest.raises(PartitionError, match="'mars'"):
        IdentityPartitionMapping().upstream_keys(["mars"], REGIONS, REGIONS)
    assert AllPartitionMapping().upstream_keys(None, None, REGIONS) == ["eu", "us", "apac"]
    assert LastPartitionMapping().upstream_keys(["eu"], REGIONS, DAILY) == ["2024-02-29"]
    specific = SpecificPartitionsPartitionMapping(["us"])
    assert specific.upstream_keys(["2024-01-01"], DAILY, REGIONS) == ["us"]


def test_static_mapping_reads_every_upstream_key_mapped_to_the_downstream_key() -> None:
    continents = StaticPartitionsDefinition(["europe", "america"])
    countries = StaticPartitionsDefinition(["fr", "de", "us", "ca"])
    mapping = StaticPartitionMapping(
        {"fr": "europe", "de": "europe", "us": "america", "ca": {"america"}}
    )
    assert mapping.upstream_keys(["europe"], continents, countries) == ["fr", "de"]
    assert mapping.upstream_keys(["america"], continents, countries) == ["us", "ca"]


def test_multi_to_single_dimension_both_ways() -> None:
    multi = MultiPartitionsDefinition({"date": DAILY, "region": REGIONS})
    mapping = MultiToSingleDimensionPartitionMapping(partition_dimension_name="region")
    keys = mapping.upstream_keys(["eu"], REGIONS, multi)
    assert len(keys) == 60 and all(k.endswith("|eu") for k in keys)
    assert mapping.upstream_keys(["2024-01-02|us"], multi, REGIONS) == ["us"]
    inferred = MultiToSingleDimensionPartitionMapping()
    assert inferred.upstream_keys(["2024-01-02|us"], multi, DAILY) == ["2024-01-02"]


def test_defaults_follow_dagster() -> None:
    assert infer_partition_mapping(DAILY, None) == AllPartitionMapping()
    assert infer_partition_mapping(DAILY, WEEKLY) == TimeWindowPartitionMapping()
    assert infer_partition_mapping(REGIONS, REGIONS) == IdentityPartitionMapping()
    multi = MultiPartitionsDefinition({"date": DAILY, "region": REGIONS})
    assert infer_partition_mapping(multi, DAILY) == MultiToSingleDimensionPartitionMapping()


def test_mapping_that_does_not_fit_the_edge_is_an_error_naming_it() -> None:
    from asset2airflow import AssetIn, Definitions, asset

    @asset(partitions_def=REGIONS)
    def regions_raw() -> int:
        return 1

    @asset(
        partitions_def=REGIONS,
        ins={"regions_raw": AssetIn(partition_mapping=TimeWindowPartitionMapping())},
    )
    def regions_clean(regions_raw: int) -> int:
        return regions_raw

    with pytest.raises(DefinitionError, match="'regions_clean'.*time-window"):
        Definitions(assets=[regions_raw, regions_clean]).asset_graph  # noqa: B018
    with pytest.raises(DefinitionError, match="start_offset must not be after end_offset"):
        TimeWindowPartitionMapping(start_offset=1, end_offset=0)


def test_windows_only_touching_the_downstream_window_are_not_read() -> None:
    start, end = DAILY.time_window_for_partition_key("2024-01-07").start, None
    assert start.tzinfo is not None and end is None
    keys, first, after = DAILY.keys_overlapping(start, start + dt.timedelta(days=1))
    assert keys[first:after] == ["2024-01-07"]
