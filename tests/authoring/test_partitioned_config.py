"""PartitionedConfig and its decorators: run config and tags per partition, time windows (with
DST and timezones), and the errors a user reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from asset2airflow import (
    Config,
    ConfigError,
    DailyPartitionsDefinition,
    DefinitionError,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    PartitionedConfig,
    PartitionError,
    RunConfig,
    StaticPartitionsDefinition,
    WeeklyPartitionsDefinition,
    daily_partitioned_config,
    define_asset_job,
    hourly_partitioned_config,
    monthly_partitioned_config,
    partitioned_config,
    static_partitioned_config,
    weekly_partitioned_config,
)

UTC = dt.timezone.utc


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(UTC)


def test_partitioned_config_maps_each_key_to_run_config_and_tags() -> None:
    regions = StaticPartitionsDefinition(["eu", "us"])
    config = PartitionedConfig(
        regions,
        run_config_for_partition_key_fn=lambda key: {"ops": {"load": {"config": {"r": key}}}},
        tags_for_partition_key_fn=lambda key: {"region": key},
    )
    assert config.partitions_def is regions
    assert config.get_run_config_for_partition_key("us") == {
        "ops": {"load": {"config": {"r": "us"}}}
    }
    assert config.get_tags_for_partition_key("eu") == {"region": "eu"}


def test_a_config_without_tags_function_has_no_tags_and_run_config_objects_are_dicts() -> None:
    class Load(Config):
        n: int

    @partitioned_config(StaticPartitionsDefinition(["1", "2"]))
    def by_number(partition_key: str) -> RunConfig:
        return RunConfig(ops={"load": Load(n=int(partition_key))})

    assert by_number.get_tags_for_partition_key("1") == {}
    assert by_number.get_run_config_for_partition_key("2") == {
        "ops": {"load": {"config": {"n": 2}}}
    }
    assert by_number("1").ops["load"] == Load(n=1)  # the object calls the decorated function


def test_static_partitioned_config_builds_static_partitions() -> None:
    @static_partitioned_config(["a", "b"], tags_for_partition_key_fn=lambda k: {"letter": k})
    def letters(partition_key: str) -> dict[str, Any]:
        return {"ops": {"op": {"config": {"letter": partition_key}}}}

    assert letters.partitions_def == StaticPartitionsDefinition(["a", "b"])
    assert letters.get_tags_for_partition_key("b") == {"letter": "b"}
    with pytest.raises(DefinitionError, match="list of partition key strings"):
        static_partitioned_config("ab")


def test_daily_windows_are_local_days_23_and_25_hours_long_on_dst_changes() -> None:
    seen: list[tuple[dt.datetime, dt.datetime]] = []

    @daily_partitioned_config(start_date="2024-01-01", timezone="Europe/Paris")
    def daily(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        seen.append((start, end))
        return {"ops": {"op": {"config": {"day": start.strftime("%Y-%m-%d")}}}}

    assert daily.partitions_def == DailyPartitionsDefinition(
        start_date="2024-01-01", timezone="Europe/Paris"
    )
    assert daily.get_run_config_for_partition_key("2024-03-31") == {
        "ops": {"op": {"config": {"day": "2024-03-31"}}}
    }
    daily.get_run_config_for_partition_key("2024-10-27")
    (spring_start, spring_end), (fall_start, fall_end) = seen
    assert spring_start.isoformat() == "2024-03-31T00:00:00+01:00"
    assert spring_end.isoformat() == "2024-04-01T00:00:00+02:00"
    assert _utc(spring_end) - _utc(spring_start) == dt.timedelta(hours=23)
    assert _utc(fall_end) - _utc(fall_start) == dt.timedelta(hours=25)


def test_daily_offsets_and_format_shape_the_window() -> None:
    @daily_partitioned_config(
        start_date="2024-01-01", hour_offset=6, minute_offset=30, timezone="America/New_York",
        fmt="%Y%m%d",
    )  # fmt: skip
    def shifted(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        return {"ops": {"op": {"config": {"start": start.isoformat(), "end": end.isoformat()}}}}

    config = shifted.get_run_config_for_partition_key("20240309")["ops"]["op"]["config"]
    assert config == {"start": "2024-03-09T06:30:00-05:00", "end": "2024-03-10T06:30:00-04:00"}
    with pytest.raises(PartitionError, match="does not match the format '%Y%m%d'"):
        shifted.get_run_config_for_partition_key("2024-03-10")


def test_hourly_weekly_monthly_windows() -> None:
    @hourly_partitioned_config(start_date="2024-01-01-00:00", timezone="Europe/Paris")
    def hourly(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        return {"ops": {"op": {"config": {"minutes": (_utc(end) - _utc(start)).seconds // 60}}}}

    @weekly_partitioned_config(start_date="2024-01-01", day_offset=1)
    def weekly(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        return {
            "ops": {"op": {"config": {"weekday": start.strftime("%A"), "days": (end - start).days}}}
        }

    @monthly_partitioned_config(start_date="2024-01-01", day_offset=15, hour_offset=2)
    def monthly(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        return {"ops": {"op": {"config": {"end": end.isoformat()}}}}

    assert hourly.partitions_def == HourlyPartitionsDefinition(
        start_date="2024-01-01-00:00", timezone="Europe/Paris"
    )
    # 02:00 does not exist on 2024-03-31 in Paris: the 01:00 partition ends at 03:00 local.
    assert hourly.get_run_config_for_partition_key("2024-03-31-01:00")["ops"]["op"] == {
        "config": {"minutes": 60}
    }
    assert weekly.partitions_def == WeeklyPartitionsDefinition(
        start_date="2024-01-01", day_offset=1
    )
    assert weekly.get_run_config_for_partition_key("2024-01-08")["ops"]["op"]["config"] == {
        "weekday": "Monday",
        "days": 7,
    }
    assert monthly.partitions_def == MonthlyPartitionsDefinition(
        start_date="2024-01-01", day_offset=15, hour_offset=2
    )
    assert monthly.get_run_config_for_partition_key("2024-01-15")["ops"]["op"]["config"] == {
        "end": "2024-02-15T02:00:00+00:00"
    }


def test_time_tags_functions_take_the_window() -> None:
    @daily_partitioned_config(
        start_date="2024-01-01",
        tags_for_partition_fn=lambda start, end: {"window": f"{start:%d}-{end:%d}"},
    )
    def daily(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        return {}

    assert daily.get_tags_for_partition_key("2024-02-03") == {"window": "03-04"}


def test_a_function_returning_a_non_dict_or_raising_is_a_config_error_naming_the_key() -> None:
    @static_partitioned_config(["a", "b"])
    def broken(partition_key: str) -> Any:
        if partition_key == "a":
            return ["not", "a", "dict"]
        raise KeyError("no table for b")

    with pytest.raises(ConfigError, match=r"'broken'.*returned \['not', 'a', 'dict'\] for "
                       r"partition key 'a'; return run config as a dict"):  # fmt: skip
        broken.get_run_config_for_partition_key("a")
    with pytest.raises(ConfigError, match=r"raised for partition key 'b': KeyError"):
        broken.get_run_config_for_partition_key("b")


def test_bad_tags_are_config_errors() -> None:
    config = PartitionedConfig(
        StaticPartitionsDefinition(["a"]),
        run_config_for_partition_key_fn=lambda key: {},
        tags_for_partition_key_fn=lambda key: {"n": 1},
    )
    with pytest.raises(ConfigError, match=r"non-string tags \[\('n', 1\)\] for partition key 'a'"):
        config.get_tags_for_partition_key("a")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "pass run_config_for_partition_key_fn="),
        (
            {"run_config_for_partition_fn": lambda p: {}},
            "run_config_for_partition_fn= .* not built",
        ),
        (
            {
                "run_config_for_partition_key_fn": lambda k: {},
                "tags_for_partition_fn": lambda p: {},
            },
            "tags_for_partition_fn= .* pass tags_for_partition_key_fn=",
        ),
        ({"run_config_for_partition_key_fn": "nope"}, "is not a function"),
    ],
)
def test_partitioned_config_arguments_are_checked(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(DefinitionError, match=message):
        PartitionedConfig(StaticPartitionsDefinition(["a"]), **kwargs)


def test_not_built_arguments_are_refused_and_non_partitions_rejected() -> None:
    with pytest.raises(DefinitionError, match="exclusions=...\\) is not built"):
        daily_partitioned_config(start_date="2024-01-01", exclusions=["2024-01-02"])
    with pytest.raises(DefinitionError, match="is not a partitions definition"):
        PartitionedConfig("daily", run_config_for_partition_key_fn=lambda k: {})  # type: ignore[arg-type]
    with pytest.raises(DefinitionError, match="not made by a decorator"):
        PartitionedConfig(StaticPartitionsDefinition(["a"]), run_config_for_partition_key_fn=dict)()


def test_define_asset_job_takes_config_and_a_matching_partitions_def() -> None:
    @daily_partitioned_config(start_date="2024-01-01")
    def daily(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        return {}

    job = define_asset_job("j", "*", config=daily)
    assert job.partitioned_config is daily and job.partitions_def == daily.partitions_def
    same = define_asset_job(
        "j", "*", config=daily, partitions_def=DailyPartitionsDefinition("2024-01-01")
    )
    assert same.partitions_def == daily.partitions_def
    with pytest.raises(DefinitionError, match="partitions_def=.* differs from the partitions of"):
        define_asset_job(
            "j", "*", config=daily, partitions_def=DailyPartitionsDefinition("2023-01-01")
        )
    plain = define_asset_job("j", "*", config=RunConfig(ops={"a": {"x": 1}}))
    assert plain.config == {"ops": {"a": {"config": {"x": 1}}}} and plain.partitioned_config is None
    with pytest.raises(DefinitionError, match="config=42 is not built"):
        define_asset_job("j", "*", config=42)
