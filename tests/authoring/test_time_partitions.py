"""Time-window partitions as in Dagster: keys, windows, ranges, offsets, DST in a non-UTC
timezone, and invalid keys reported with the expected format."""

from __future__ import annotations

import datetime as dt

import pytest

from asset2airflow import (
    AssetExecutionContext,
    DailyPartitionsDefinition,
    DefinitionError,
    HourlyPartitionsDefinition,
    InMemoryIOManager,
    MonthlyPartitionsDefinition,
    PartitionError,
    PartitionKeyRange,
    StaticPartitionsDefinition,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
    asset,
    materialize,
)

UTC = dt.timezone.utc
NOW = dt.datetime(2024, 1, 10, 5, 30, tzinfo=UTC)


def test_daily_keys_are_finished_days_and_end_offset_adds_today() -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01")
    assert daily.get_partition_keys(NOW) == [f"2024-01-0{d}" for d in range(1, 10)]
    assert daily.get_last_partition_key(NOW) == "2024-01-09"
    today = DailyPartitionsDefinition(start_date="2024-01-01", end_offset=1)
    assert today.get_last_partition_key(NOW) == "2024-01-10"
    ended = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")
    assert ended.get_partition_keys(NOW) == ["2024-01-01", "2024-01-02", "2024-01-03"]


def test_windows_and_ranges() -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01", hour_offset=6)
    window = daily.time_window_for_partition_key("2024-01-05")
    assert window.start == dt.datetime(2024, 1, 5, 6, tzinfo=UTC)
    assert window.end == dt.datetime(2024, 1, 6, 6, tzinfo=UTC)
    keys = daily.get_partition_keys_in_range(PartitionKeyRange("2024-01-03", "2024-01-05"), NOW)
    assert keys == ["2024-01-03", "2024-01-04", "2024-01-05"]
    with pytest.raises(PartitionError, match="ends before it starts"):
        daily.get_partition_keys_in_range(PartitionKeyRange("2024-01-05", "2024-01-03"), NOW)


def test_hourly_weekly_monthly_and_any_cron() -> None:
    hourly = HourlyPartitionsDefinition(start_date="2024-01-10", minute_offset=15)
    assert hourly.get_partition_keys(NOW) == [
        "2024-01-10-00:15", "2024-01-10-01:15", "2024-01-10-02:15", "2024-01-10-03:15",
        "2024-01-10-04:15",
    ]  # fmt: skip
    weekly = WeeklyPartitionsDefinition(start_date="2023-12-01", day_offset=1)  # Mondays
    assert weekly.get_partition_keys(NOW) == ["2023-12-04", "2023-12-11", "2023-12-18",
                                              "2023-12-25", "2024-01-01"]  # fmt: skip
    monthly = MonthlyPartitionsDefinition(start_date="2023-10-01", day_offset=15)
    assert monthly.get_partition_keys(NOW) == ["2023-10-15", "2023-11-15"]
    every_six = TimeWindowPartitionsDefinition("0 */6 * * *", "2024-01-09", "%Y-%m-%d %H:%M")
    assert every_six.get_partition_keys(NOW) == [
        "2024-01-09 00:00", "2024-01-09 06:00", "2024-01-09 12:00", "2024-01-09 18:00"
    ]  # fmt: skip


def test_daylight_saving_changes_in_a_local_timezone() -> None:
    spring = HourlyPartitionsDefinition(start_date="2024-03-31", timezone="Europe/Paris")
    keys = spring.get_partition_keys(dt.datetime(2024, 3, 31, 4, tzinfo=UTC))
    assert keys == ["2024-03-31-00:00", "2024-03-31-01:00", "2024-03-31-03:00",
                    "2024-03-31-04:00", "2024-03-31-05:00"]  # 02:00 does not exist  # fmt: skip
    autumn = HourlyPartitionsDefinition(start_date="2024-10-27", timezone="Europe/Paris")
    keys = autumn.get_partition_keys(dt.datetime(2024, 10, 27, 4, tzinfo=UTC))
    assert keys.count("2024-10-27-02:00") == 1  # the repeated hour is one partition
    repeated = autumn.time_window_for_partition_key("2024-10-27-02:00")
    assert repeated.end.astimezone(UTC) - repeated.start.astimezone(UTC) == dt.timedelta(hours=2)
    daily = DailyPartitionsDefinition(start_date="2024-03-01", timezone="Europe/Paris")
    short = daily.time_window_for_partition_key("2024-03-31")
    assert short.end.astimezone(UTC) - short.start.astimezone(UTC) == dt.timedelta(hours=23)
    assert short.start.astimezone(UTC) == dt.datetime(2024, 3, 30, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("2024/01/05", r"does not match the format '%Y-%m-%d' \(e.g. '2024-01-01'\)"),
        ("2023-12-31", r"outside its partitions \('2024-01-01' to"),
        ("2999-01-01", "outside its partitions"),
    ],
)
def test_an_invalid_key_quotes_it_and_the_expected_format(key: str, message: str) -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01")
    with pytest.raises(PartitionError, match=message) as raised:
        daily.validate_key(key, "asset 'events'")
    assert repr(key) in str(raised.value) and "asset 'events'" in str(raised.value)


def test_a_key_between_ticks_is_refused() -> None:
    hourly = HourlyPartitionsDefinition(start_date="2024-01-01", minute_offset=30)
    with pytest.raises(PartitionError, match="not the start of a partition"):
        hourly.time_window_for_partition_key("2024-01-05-10:00")


def test_bad_definitions_fail_where_they_are_declared() -> None:
    with pytest.raises(DefinitionError, match="'Mars/Olympus' is not a known IANA timezone"):
        DailyPartitionsDefinition(start_date="2024-01-01", timezone="Mars/Olympus")
    with pytest.raises(DefinitionError, match="not a valid cron"):
        TimeWindowPartitionsDefinition("every day", "2024-01-01", "%Y-%m-%d")
    with pytest.raises(DefinitionError, match="day from 1 to 28"):
        MonthlyPartitionsDefinition(start_date="2024-01-01", day_offset=31)
    with pytest.raises(DefinitionError, match="start 'January'"):
        DailyPartitionsDefinition(start_date="January")


def test_equal_definitions_compare_equal_and_listing_is_cached() -> None:
    first = DailyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Paris")
    second = DailyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Paris")
    assert first == second and hash(first) == hash(second)
    assert first != DailyPartitionsDefinition(start_date="2024-01-02", timezone="Europe/Paris")
    assert first.get_partition_keys() == first.get_partition_keys()
    assert first.get_partition_keys() is not first.get_partition_keys()  # callers get copies


def test_static_ranges_and_last_key() -> None:
    regions = StaticPartitionsDefinition(["eu", "us", "apac"])
    assert regions.get_last_partition_key() == "apac"
    assert regions.get_partition_keys_in_range(PartitionKeyRange("us", "apac")) == ["us", "apac"]


def test_materialize_one_daily_partition() -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01")

    @asset(partitions_def=daily)
    def events(context: AssetExecutionContext) -> str:
        return f"events of {context.partition_key}"

    memory = InMemoryIOManager()
    result = materialize([events], resources={"io_manager": memory}, partition_key="2024-01-05")
    assert result.output_for_node("events") == "events of 2024-01-05"
    with pytest.raises(PartitionError, match="does not match the format"):
        materialize([events], resources={"io_manager": memory}, partition_key="Jan 5")
