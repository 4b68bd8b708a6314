"""Partitioned assets in a real Airflow 3.3: the timetables, mappers and params a DagBag gets,
Airflow's own partition logic checked against the engine's partition mappings, and dag.test()
runs that materialize one partition.

``dag.test()`` cannot give its run a partition key (Airflow sets ``DagRun.partition_key`` only
for scheduled, asset-triggered, backfill and REST/UI-triggered runs), so these runs carry the key
as the ``partition_key`` run conf, which the task reads from its params: a declared param for
runtime-partitioned DAGs, and the run conf Airflow merges into params
(``core.dag_run_conf_overrides_params``, on by default) for cron and asset-partitioned DAGs.
"""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asset2airflow import (
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    PartitionKeyRange,
    TimeWindowPartitionMapping,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
)
from tests.airflow.conftest import task_states

pytestmark = pytest.mark.integration

PARIS = "Europe/Paris"
# The same definitions as in PARTITIONED below, for comparing Airflow with the engine.
DAILY = DailyPartitionsDefinition(start_date="2024-01-01", timezone=PARIS)
HOURLY = HourlyPartitionsDefinition(start_date="2024-01-01-00:00", timezone=PARIS)
WEEKLY = WeeklyPartitionsDefinition(start_date="2024-01-01", day_offset=1, timezone=PARIS)
MONTHLY = MonthlyPartitionsDefinition(start_date="2024-01-01", timezone=PARIS)

PARTITIONED = """
from pathlib import Path

from asset2airflow import (
    AssetExecutionContext, DailyPartitionsDefinition, Definitions, FilesystemIOManager,
    HourlyPartitionsDefinition, MonthlyPartitionsDefinition, RetryPolicy,
    StaticPartitionsDefinition, WeeklyPartitionsDefinition, asset,
)
from asset2airflow.airflow import build_dags

# One storage for every test: outlet URIs name it, and Airflow keeps the first URI it saw for
# an asset name (a DAG re-parsed with another URI gets an inactive asset and emits no events).
STORAGE = Path(__file__).with_name("partitioned_storage")
PARIS = "Europe/Paris"
DAILY = DailyPartitionsDefinition(start_date="2024-01-01", timezone=PARIS)
HOURLY = HourlyPartitionsDefinition(start_date="2024-01-01-00:00", timezone=PARIS)
WEEKLY = WeeklyPartitionsDefinition(start_date="2024-01-01", day_offset=1, timezone=PARIS)
MONTHLY = MonthlyPartitionsDefinition(start_date="2024-01-01", timezone=PARIS)
REGIONS = StaticPartitionsDefinition(["eu", "us"])
MANY = StaticPartitionsDefinition([f"k{i:03d}" for i in range(101)])


@asset(group_name="pt_days", partitions_def=DAILY)
def pt_orders(context: AssetExecutionContext) -> str:
    return context.partition_key


@asset(group_name="pt_copies", partitions_def=DAILY)
def pt_orders_copy(pt_orders: str) -> str:
    return pt_orders


@asset(group_name="pt_weeks", partitions_def=WEEKLY)
def pt_orders_weekly(pt_orders: dict) -> dict:
    return pt_orders


@asset(group_name="pt_months", partitions_def=MONTHLY)
def pt_orders_monthly(pt_orders: dict) -> int:
    return len(pt_orders)


@asset(group_name="pt_hours", partitions_def=HOURLY)
def pt_clicks() -> int:
    return 1


@asset(group_name="pt_click_days", partitions_def=DAILY)
def pt_clicks_daily(pt_clicks: dict) -> int:
    return sum(pt_clicks.values())


@asset(group_name="pt_regions", partitions_def=REGIONS)
def pt_sales(context: AssetExecutionContext) -> str:
    return "sales of " + context.partition_key


@asset(group_name="pt_many", partitions_def=MANY, retry_policy=RetryPolicy(max_retries=2))
def pt_many(context: AssetExecutionContext) -> str:
    return context.partition_key


@asset(group_name="pt_flaky", partitions_def=MANY, retry_policy=RetryPolicy(max_retries=2))
def pt_flaky(context: AssetExecutionContext) -> str:
    marker = Path(__file__).with_name("pt_flaky.attempted")
    if not marker.exists():
        marker.touch()
        raise RuntimeError("first attempt fails")
    return context.partition_key


build_dags(
    Definitions(
        assets=[
            pt_orders, pt_orders_copy, pt_orders_weekly, pt_orders_monthly, pt_clicks,
            pt_clicks_daily, pt_sales, pt_many, pt_flaky,
        ],
        resources={"io_manager": FilesystemIOManager(base_dir=str(STORAGE))},
    )
)
"""


@pytest.fixture
def dags(load_dag_file: Callable[[str, str], dict[str, Any]]) -> dict[str, Any]:
    return load_dag_file("partitioned_demo.py", PARTITIONED)


@pytest.fixture
def storage(dags_folder: Path) -> Path:
    """The DAGs' storage (``STORAGE`` above), emptied for each test."""
    path = dags_folder / "partitioned_storage"
    shutil.rmtree(path, ignore_errors=True)
    return path


def core_timetable(dag: Any) -> Any:
    """The timetable as the scheduler runs it (the DagBag holds the task SDK's description)."""
    from airflow.serialization.encoders import coerce_to_core_timetable

    return coerce_to_core_timetable(dag.timetable)


def partition_events(name: str) -> list[tuple[str | None, dict[str, Any]]]:
    """(partition key, extra) of every event of the Airflow asset ``name``, oldest first."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        events = (
            session.query(AssetEvent)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetModel.name == name)
            .order_by(AssetEvent.id)
            .all()
        )
        return [(e.partition_key, dict(e.extra or {})) for e in events]


def try_numbers(run: Any) -> dict[str, int]:
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(TaskInstance).filter_by(dag_id=run.dag_id, run_id=run.run_id).all()
        return {ti.task_id: ti.try_number for ti in rows}


def stored_files(storage: Path) -> list[str]:
    """Every file under the IO manager's storage, relative to it."""
    return sorted(str(p.relative_to(storage)) for p in storage.rglob("*") if p.is_file())


# --- what the DagBag holds ----------------------------------------------------------------


def test_time_partitioned_root_gets_a_cron_partition_timetable(dags: dict[str, Any]) -> None:
    from airflow.sdk import CronPartitionTimetable

    dag = dags["pt_days"]
    timetable = dag.timetable
    assert type(timetable) is CronPartitionTimetable
    assert (timetable.expression, timetable.timezone) == ("0 0 * * *", PARIS)
    assert (timetable.key_format, timetable.run_offset) == ("%Y-%m-%d", -1)
    assert "partition_key" not in dag.params  # the scheduler gives each run its key
    core = core_timetable(dag)
    assert core.partitioned and not core.partitioned_at_runtime


def test_scheduled_runs_materialize_the_day_that_just_ended_with_the_engines_key(
    dags: dict[str, Any],
) -> None:
    from airflow.timetables.base import TimeRestriction

    core = core_timetable(dags["pt_days"])
    paris_midnight = dt.datetime(2024, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    info = core.next_dagrun_info_v2(
        last_dagrun_info=None,
        restriction=TimeRestriction(earliest=paris_midnight, latest=None, catchup=True),
    )
    assert info.run_after == paris_midnight
    assert info.partition_key == "2024-01-01"  # not "2023-12-31": the UTC date of its start
    DAILY.validate_key(info.partition_key, "the test")
    # A backfill walks the definition's keys, across the spring DST change too.
    backfill = core.iter_partition_dagrun_infos(
        earliest=dt.datetime(2024, 3, 29, tzinfo=dt.timezone.utc),
        latest=dt.datetime(2024, 4, 2, tzinfo=dt.timezone.utc),
    )
    keys = [i.partition_key for i in backfill]
    assert keys == DAILY.get_partition_keys_in_range(PartitionKeyRange("2024-03-29", "2024-04-02"))
    assert len(keys) == 5


def test_downstream_dags_get_partitioned_asset_timetables_with_mappers(
    dags: dict[str, Any],
) -> None:
    from airflow.sdk import (
        DayWindow,
        IdentityMapper,
        MonthWindow,
        PartitionedAssetTimetable,
        RollupMapper,
        StartOfDayMapper,
        StartOfMonthMapper,
        StartOfWeekMapper,
        WeekWindow,
    )

    def mapper_of(dag_id: str, upstream: str) -> Any:
        timetable = dags[dag_id].timetable
        assert type(timetable) is PartitionedAssetTimetable
        assert [a.name for a in timetable.asset_condition.objects] == [upstream]
        [(asset, mapper)] = timetable.partition_mapper_config.items()
        assert asset.name == upstream and asset.group == upstream_group[upstream]
        assert "partition_key" not in dags[dag_id].params
        return mapper

    upstream_group = {"pt_orders": "pt_days", "pt_clicks": "pt_hours"}
    assert type(mapper_of("pt_copies", "pt_orders")) is IdentityMapper
    expected = {
        ("pt_weeks", "pt_orders"): (
            StartOfWeekMapper(timezone=PARIS, input_format="%Y-%m-%d", output_format="%Y-%m-%d"),
            WeekWindow,
        ),
        ("pt_months", "pt_orders"): (
            StartOfMonthMapper(timezone=PARIS, input_format="%Y-%m-%d", output_format="%Y-%m-%d"),
            MonthWindow,
        ),
        ("pt_click_days", "pt_clicks"): (
            StartOfDayMapper(
                timezone=PARIS, input_format="%Y-%m-%d-%H:%M", output_format="%Y-%m-%d"
            ),
            DayWindow,
        ),
    }
    for (dag_id, upstream), (start_of, window) in expected.items():
        mapper = mapper_of(dag_id, upstream)
        assert type(mapper) is RollupMapper
        assert mapper.upstream_mapper == start_of
        assert type(mapper.window) is window
        assert core_timetable(dags[dag_id]).partitioned


ROLLUPS = [
    # (downstream DAG, upstream asset, downstream definition, upstream definition, keys)
    ("pt_click_days", "pt_clicks", DAILY, HOURLY,
     ["2024-01-15", "2024-03-30", "2024-03-31", "2024-10-27", "2024-12-31"]),
    ("pt_weeks", "pt_orders", WEEKLY, DAILY,
     ["2024-01-01", "2024-03-25", "2024-10-21", "2024-12-30"]),
    ("pt_months", "pt_orders", MONTHLY, DAILY,
     ["2024-01-01", "2024-02-01", "2024-03-01", "2024-10-01", "2024-12-01"]),
    ("pt_copies", "pt_orders", DAILY, DAILY, ["2024-01-01", "2024-03-31", "2024-10-27"]),
]  # fmt: skip


@pytest.mark.parametrize(("dag_id", "upstream", "downstream_def", "upstream_def", "keys"), ROLLUPS)
def test_airflow_mappers_wait_for_exactly_the_partitions_the_engine_reads(
    dags: dict[str, Any],
    dag_id: str,
    upstream: str,
    downstream_def: TimeWindowPartitionsDefinition,
    upstream_def: TimeWindowPartitionsDefinition,
    keys: list[str],
) -> None:
    """The scheduler's mapper (what a downstream run waits for, which run an upstream event
    feeds) against the engine's mapping (what the run then loads), including days with a DST
    change, a leap February and an ISO week spanning two years."""
    mapper = core_timetable(dags[dag_id]).get_partition_mapper(name=upstream)
    for key in keys:
        read = TimeWindowPartitionMapping().upstream_keys([key], downstream_def, upstream_def)
        if dag_id != "pt_copies":  # a rollup run waits for every partition it reads
            assert set(mapper.to_upstream(key)) == set(read), key
        for upstream_key in read:
            assert mapper.to_downstream(upstream_key) == key, upstream_key


def test_static_partitions_are_chosen_at_trigger_time(dags: dict[str, Any]) -> None:
    from airflow.sdk import PartitionedAtRuntime
    from airflow.serialization.serialized_objects import DagSerialization

    regions = dags["pt_regions"]
    assert type(regions.timetable) is PartitionedAtRuntime
    param = regions.params.get_param("partition_key")
    assert param.schema["enum"] == ["eu", "us", None]
    assert param.value is None and param.schema["section"] == "Partition"
    many = dags["pt_many"].params.get_param("partition_key")
    assert "enum" not in many.schema and many.schema["type"] == ["string", "null"]
    scheduler_dag = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(regions))
    assert scheduler_dag.timetable.partitioned_at_runtime
    scheduler_dag.validate_partition_key("eu")  # Airflow accepts a key for this DAG


# --- dag.test() runs ----------------------------------------------------------------------


def test_static_partition_run_materializes_exactly_that_partition(
    dags: dict[str, Any], storage: Path
) -> None:
    before = len(partition_events("pt_sales"))
    run = dags["pt_regions"].test(run_conf={"partition_key": "eu"})
    assert run.state == "success"
    assert run.partition_key is None  # dag.test cannot set it: the key came from the param
    assert stored_files(storage) == ["pt_sales.partitions/eu.pickle"]
    stored = storage / "pt_sales.partitions" / "eu.pickle"
    assert pickle.loads(stored.read_bytes()) == "sales of eu"
    [(partition, extra)] = partition_events("pt_sales")[before:]
    assert partition == "eu"  # a downstream partitioned DAG is triggered for "eu"
    assert extra["partition"] == "eu"


def test_a_key_outside_the_dropdown_is_refused_before_any_task_runs(
    dags: dict[str, Any], storage: Path
) -> None:
    before = partition_events("pt_sales")
    with pytest.raises(Exception, match="partition_key") as info:
        dags["pt_regions"].test(run_conf={"partition_key": "nope"})
    assert "'nope' is not one of ['eu', 'us', None]" in str(info.value)
    assert stored_files(storage) == []
    assert partition_events("pt_sales") == before


@pytest.mark.parametrize("bad_key", ["../etc", "nope"])
def test_an_invalid_free_text_key_fails_the_task_once_naming_the_valid_keys(
    dags: dict[str, Any],
    storage: Path,
    capfd: pytest.CaptureFixture[str],
    bad_key: str,
) -> None:
    dag = dags["pt_many"]
    assert dag.get_task("pt_many").retries == 2  # Airflow would retry an ordinary failure
    before = partition_events("pt_many")
    run = dag.test(run_conf={"partition_key": bad_key})
    assert run.state == "failed"
    assert task_states(run) == {"pt_many": "failed"}
    assert try_numbers(run) == {"pt_many": 1}  # retrying cannot make the key valid
    log = capfd.readouterr()
    assert (
        f"partition key {bad_key!r} is not a partition of DAG 'pt_many'; valid keys: k000, k001"
    ) in log.out + log.err
    assert stored_files(storage) == []
    assert not list(storage.parent.rglob("etc*"))  # nothing written next to the storage
    assert partition_events("pt_many") == before


def test_an_ordinary_failure_of_a_partitioned_task_is_retried(
    dags: dict[str, Any], dags_folder: Path, storage: Path
) -> None:
    """The control for the test above: the same retries do retry a failure that can pass."""
    (dags_folder / "pt_flaky.attempted").unlink(missing_ok=True)
    before = len(partition_events("pt_flaky"))
    run = dags["pt_flaky"].test(run_conf={"partition_key": "k007"})
    assert run.state == "success"
    assert try_numbers(run) == {"pt_flaky": 2}
    assert stored_files(storage) == ["pt_flaky.partitions/k007.pickle"]
    assert [p for p, _ in partition_events("pt_flaky")[before:]] == ["k007"]


def test_cron_partitioned_dag_runs_the_partition_given_as_run_conf(
    dags: dict[str, Any], storage: Path
) -> None:
    dag = dags["pt_days"]
    # The logical date of the scheduled run of 2024-01-02 (Paris midnight after it).
    logical_date = dt.datetime(2024, 1, 2, 23, tzinfo=dt.timezone.utc)
    before = len(partition_events("pt_orders"))
    run = dag.test(logical_date=logical_date, run_conf={"partition_key": "2024-01-02"})
    assert run.state == "success"
    assert run.partition_key is None
    assert stored_files(storage) == ["pt_orders.partitions/2024-01-02.pickle"]
    stored = storage / "pt_orders.partitions" / "2024-01-02.pickle"
    assert pickle.loads(stored.read_bytes()) == "2024-01-02"
    assert [p for p, _ in partition_events("pt_orders")[before:]] == ["2024-01-02"]


@pytest.mark.parametrize(
    ("bad_key", "says"),
    [
        ("yesterday", "does not match the format '%Y-%m-%d'"),
        ("2024-1-2", "is not the start of a partition of schedule '0 0 * * *'"),
        ("2023-12-31", "is outside its partitions"),
        ("2999-01-01", "is outside its partitions"),
    ],
)
def test_cron_partitioned_dag_refuses_keys_that_are_not_its_partitions(
    dags: dict[str, Any],
    storage: Path,
    capfd: pytest.CaptureFixture[str],
    bad_key: str,
    says: str,
) -> None:
    run = dags["pt_days"].test(run_conf={"partition_key": bad_key})
    assert run.state == "failed"
    assert try_numbers(run) == {"pt_orders": 1}
    log = capfd.readouterr()
    assert f"partition key {bad_key!r} of DAG 'pt_days' {says}" in log.out + log.err
    assert stored_files(storage) == []


def test_weekly_rollup_run_reads_the_seven_days_of_its_week(
    dags: dict[str, Any], storage: Path
) -> None:
    week = [f"2024-01-0{d}" for d in range(1, 8)]
    for day in week:
        assert dags["pt_days"].test(run_conf={"partition_key": day}).state == "success"
    mapper = core_timetable(dags["pt_weeks"]).get_partition_mapper(name="pt_orders")
    assert {mapper.to_downstream(day) for day in week} == {"2024-01-01"}
    before = len(partition_events("pt_orders_weekly"))
    run = dags["pt_weeks"].test(run_conf={"partition_key": "2024-01-01"})
    assert run.state == "success"
    stored = storage / "pt_orders_weekly.partitions" / "2024-01-01.pickle"
    assert pickle.loads(stored.read_bytes()) == {day: day for day in week}
    assert [p for p, _ in partition_events("pt_orders_weekly")[before:]] == ["2024-01-01"]
