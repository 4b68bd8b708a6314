"""Partitioned DAG plans are plain data: which Airflow partition scheduling each DAG gets
(``cron`` / ``assets`` with mappers / ``runtime``) and the definitions Airflow cannot express,
refused naming the assets, the DAGs and the fix. No Airflow DB."""

from __future__ import annotations

import pytest

from asset2airflow import (
    AssetIn,
    AutomationCondition,
    DailyPartitionsDefinition,
    Definitions,
    HourlyPartitionsDefinition,
    IdentityPartitionMapping,
    MonthlyPartitionsDefinition,
    MultiPartitionsDefinition,
    PartitionMapping,
    PartitionsDefinition,
    StaticPartitionsDefinition,
    TimeWindowPartitionMapping,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
    asset,
)
from asset2airflow.airflow.arguments import dag_arguments
from asset2airflow.airflow.dag_plan import DagPlan, SchedulePlan
from asset2airflow.airflow.params import PARTITION_KEY_PARAM
from asset2airflow.airflow.partitions import (
    ENUM_PARAM_LIMIT,
    CronPartitions,
    MapperPlan,
    RuntimePartitions,
    UpstreamPartitions,
    plan_partitions,
)
from asset2airflow.airflow.plan import build_dag_plans
from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.errors import DefinitionError

PARIS = "Europe/Paris"
DAILY = DailyPartitionsDefinition(start_date="2024-01-01", timezone=PARIS)
HOURLY = HourlyPartitionsDefinition(start_date="2024-01-01-00:00", timezone=PARIS)
MONDAY_WEEKS = WeeklyPartitionsDefinition(start_date="2024-01-01", day_offset=1, timezone=PARIS)
SUNDAY_WEEKS = WeeklyPartitionsDefinition(start_date="2024-01-07", timezone=PARIS)
MONTHLY = MonthlyPartitionsDefinition(start_date="2024-01-01", timezone=PARIS)
REGIONS = StaticPartitionsDefinition(["eu", "us", "apac"])


def plans_by_id(*assets: AssetsDefinition) -> dict[str, DagPlan]:
    return {p.dag_id: p for p in build_dag_plans(Definitions(assets=list(assets)))}


def source(name: str, group: str, partitions_def: PartitionsDefinition | None) -> AssetsDefinition:
    def compute() -> int:
        return 1

    return asset(name=name, group_name=group, partitions_def=partitions_def)(compute)


def reader(
    name: str,
    group: str,
    upstream: str,
    partitions_def: PartitionsDefinition | None,
    mapping: PartitionMapping | None = None,
    automation_condition: AutomationCondition | None = None,
) -> AssetsDefinition:
    """An asset of ``group`` reading ``upstream`` (through ``mapping``, else the default)."""

    def compute(value: object) -> object:
        return value

    return asset(
        name=name,
        group_name=group,
        partitions_def=partitions_def,
        ins={"value": AssetIn(upstream, partition_mapping=mapping)},
        automation_condition=automation_condition,
    )(compute)


def rollup(plan: DagPlan) -> tuple[str, str, dict[str, object], str]:
    """(upstream asset, start-of mapper, its kwargs, window) of a one-upstream rollup plan."""
    partitions = plan.schedule.partitions
    assert partitions is not None and isinstance(partitions, UpstreamPartitions)
    [(upstream, mapper)] = partitions.mappers
    assert mapper.name == "RollupMapper"
    kwargs = dict(mapper.kwargs)
    start_of, window = kwargs["upstream_mapper"], kwargs["window"]
    assert isinstance(start_of, MapperPlan) and isinstance(window, MapperPlan)
    assert window.kwargs == ()
    return upstream.to_user_string(), start_of.name, dict(start_of.kwargs), window.name


# --- which scheduling ---------------------------------------------------------------------


def test_time_partitioned_root_dag_runs_on_the_definitions_cron_timezone_and_format() -> None:
    plan = plans_by_id(source("orders", "days", DAILY))["days"]
    partitions = plan.schedule.partitions
    assert partitions is not None
    assert isinstance(plan.schedule.partitions, CronPartitions)
    assert (partitions.cron, partitions.timezone, partitions.key_format) == (
        "0 0 * * *",
        PARIS,
        "%Y-%m-%d",
    )
    # The run at a tick materializes the window that just ended: the previous one.
    assert partitions.run_offset == -1
    assert plan.schedule.upstream == ()
    assert PARTITION_KEY_PARAM not in {p.name for p in plan.params}  # Airflow sets the key
    assert repr(dag_arguments(plan)["schedule"]) == (
        "CronPartitionTimetable('0 0 * * *', timezone='Europe/Paris', run_offset=-1, "
        "key_format='%Y-%m-%d')"
    )


def test_cron_plan_follows_offsets_and_custom_formats() -> None:
    today_too = DailyPartitionsDefinition(
        start_date="2024-01-01", hour_offset=6, timezone="America/New_York", fmt="%Y%m%d",
        end_offset=1,
    )  # fmt: skip
    partitions = plans_by_id(source("orders", "days", today_too))["days"].schedule.partitions
    assert partitions is not None
    assert (partitions.cron, partitions.timezone, partitions.key_format) == (
        "0 6 * * *",
        "America/New_York",
        "%Y%m%d",
    )
    assert partitions.run_offset == 0  # end_offset=1: the current window exists, run it now
    hourly = plans_by_id(source("clicks", "hours", HOURLY))["hours"].schedule.partitions
    assert hourly is not None
    assert (hourly.cron, hourly.key_format, hourly.run_offset) == (
        "0 * * * *",
        "%Y-%m-%d-%H:%M",
        -1,
    )


def test_same_daily_partitions_in_another_dag_are_triggered_through_an_identity_mapper() -> None:
    plans = plans_by_id(
        source("orders", "days", DAILY), reader("orders_copy", "copies", "orders", DAILY)
    )
    copies = plans["copies"]
    partitions = copies.schedule.partitions
    assert partitions is not None
    assert isinstance(copies.schedule.partitions, UpstreamPartitions)
    assert partitions.mappers == ((AssetKey("orders"), MapperPlan("IdentityMapper")),)
    assert [a.name for a in copies.schedule.upstream] == ["orders"]
    assert copies.schedule.upstream[0] == plans["days"].tasks[0].outlets[0]
    assert PARTITION_KEY_PARAM not in {p.name for p in copies.params}
    # the upstream keeps its cron
    assert isinstance(plans["days"].schedule.partitions, CronPartitions)
    schedule = repr(dag_arguments(copies)["schedule"])
    assert schedule.startswith("PartitionedAssetTimetable(assets=AssetAll(Asset(name='orders'")
    assert "partition_mapper_config=dict([(Asset(name='orders'" in schedule
    assert schedule.endswith(", IdentityMapper())]))")


def test_explicit_identity_mapping_between_equal_static_partitions_is_an_identity_mapper() -> None:
    plans = plans_by_id(
        source("sales", "regional", REGIONS),
        reader("report", "reports", "sales", REGIONS, IdentityPartitionMapping()),
    )
    partitions = plans["reports"].schedule.partitions
    assert partitions is not None
    assert partitions.mappers == ((AssetKey("sales"), MapperPlan("IdentityMapper")),)


def test_hourly_to_daily_rolls_up_the_days_hours() -> None:
    plans = plans_by_id(
        source("clicks", "hours", HOURLY), reader("clicks_daily", "click_days", "clicks", DAILY)
    )
    assert rollup(plans["click_days"]) == (
        "clicks",
        "StartOfDayMapper",
        {"timezone": PARIS, "input_format": "%Y-%m-%d-%H:%M", "output_format": "%Y-%m-%d"},
        "DayWindow",
    )


def test_daily_to_monday_weekly_rolls_up_the_weeks_days() -> None:
    plans = plans_by_id(
        source("orders", "days", DAILY),
        reader("orders_weekly", "weeks", "orders", MONDAY_WEEKS, TimeWindowPartitionMapping()),
    )
    assert rollup(plans["weeks"]) == (
        "orders",
        "StartOfWeekMapper",
        {"timezone": PARIS, "input_format": "%Y-%m-%d", "output_format": "%Y-%m-%d"},
        "WeekWindow",
    )


def test_a_time_window_definition_on_a_daily_cron_rolls_up_as_daily_partitions_do() -> None:
    """The cadence belongs to the definition: a ``TimeWindowPartitionsDefinition`` whose cron
    ticks once a day is daily, whichever class built it."""
    days = TimeWindowPartitionsDefinition("0 0 * * *", "2024-01-01", "%Y-%m-%d", PARIS)
    plans = plans_by_id(
        source("orders", "days", days),
        reader("orders_weekly", "weeks", "orders", MONDAY_WEEKS, TimeWindowPartitionMapping()),
    )
    assert rollup(plans["weeks"])[1:] == ("StartOfWeekMapper", {
        "timezone": PARIS, "input_format": "%Y-%m-%d", "output_format": "%Y-%m-%d"
    }, "WeekWindow")  # fmt: skip


def test_daily_to_monthly_rolls_up_the_months_days_with_both_formats() -> None:
    compact = DailyPartitionsDefinition(start_date="2024-01-01", timezone=PARIS, fmt="%Y%m%d")
    months = MonthlyPartitionsDefinition(start_date="2024-01-01", timezone=PARIS, fmt="%Y-%m")
    plans = plans_by_id(
        source("orders", "days", compact),
        reader("orders_monthly", "months", "orders", months, TimeWindowPartitionMapping()),
    )
    assert rollup(plans["months"]) == (
        "orders",
        "StartOfMonthMapper",
        {"timezone": PARIS, "input_format": "%Y%m%d", "output_format": "%Y-%m"},
        "MonthWindow",
    )


def test_static_partitions_are_chosen_at_trigger_time_from_a_dropdown() -> None:
    plan = plans_by_id(source("sales", "regional", REGIONS))["regional"]
    partitions = plan.schedule.partitions
    assert partitions is not None
    assert isinstance(plan.schedule.partitions, RuntimePartitions)
    assert partitions.enum_keys == ("eu", "us", "apac")  # the definition's order
    [param] = [p for p in plan.params if p.name == PARTITION_KEY_PARAM]
    assert param.schema == {"type": ["string", "null"], "enum": ["eu", "us", "apac", None]}
    assert param.has_default and param.default is None
    assert repr(dag_arguments(plan)["schedule"]) == "PartitionedAtRuntime()"


def test_more_keys_than_the_limit_give_a_free_text_partition_param() -> None:
    at_limit = StaticPartitionsDefinition([f"k{i:03d}" for i in range(ENUM_PARAM_LIMIT)])
    over = StaticPartitionsDefinition([f"k{i:03d}" for i in range(ENUM_PARAM_LIMIT + 1)])
    plans = plans_by_id(source("few", "few", at_limit), source("many", "many", over))
    few, many = plans["few"].schedule.partitions, plans["many"].schedule.partitions
    assert few is not None and len(few.enum_keys) == ENUM_PARAM_LIMIT
    assert many is not None and isinstance(many, RuntimePartitions)
    assert many.enum_keys == ()
    [param] = [p for p in plans["many"].params if p.name == PARTITION_KEY_PARAM]
    assert param.schema == {"type": ["string", "null"]}


def test_multi_partitions_are_chosen_at_trigger_time() -> None:
    multi = MultiPartitionsDefinition(
        {"date": DailyPartitionsDefinition(start_date="2024-01-01"), "region": REGIONS}
    )
    plan = plans_by_id(source("sales", "multi", multi))["multi"]
    partitions = plan.schedule.partitions
    assert partitions is not None and isinstance(partitions, RuntimePartitions)
    assert partitions.enum_keys == ()  # hundreds of date|region keys: free text


def test_unpartitioned_dags_have_no_partition_plan() -> None:
    graph = Definitions(assets=[source("plain", "plain", None)]).asset_graph
    assert plan_partitions(graph, [AssetKey("plain")], [], "plain", str) is None
    assert plans_by_id(source("plain", "plain", None))["plain"].schedule == SchedulePlan()


# --- refused, naming what and how to fix it -----------------------------------------------


def test_two_partitions_definitions_in_one_dag_are_refused() -> None:
    with pytest.raises(DefinitionError) as info:
        plans_by_id(source("orders", "mixed", DAILY), source("sales", "mixed", REGIONS))
    message = str(info.value)
    assert "DAG 'mixed'" in message
    assert "'orders'" in message and "'sales'" in message
    assert "StaticPartitionsDefinition" in message and "Europe/Paris" in message
    assert "different group_name values" in message


def test_previous_day_mapping_across_dags_is_refused() -> None:
    previous_day = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    with pytest.raises(DefinitionError) as info:
        plans_by_id(
            source("orders", "days", DAILY),
            reader("orders_delta", "deltas", "orders", DAILY, previous_day),
        )
    message = str(info.value)
    assert "asset 'orders_delta' (DAG 'deltas') reads 'orders' (DAG 'days')" in message
    assert "start_offset=-1" in message
    assert "cannot express" in message
    assert "Put both assets in one DAG" in message


def test_sunday_weeks_cannot_roll_up_in_airflow_whose_weeks_start_on_monday() -> None:
    with pytest.raises(DefinitionError) as info:
        plans_by_id(
            source("orders", "days", DAILY), reader("weekly", "weeks", "orders", SUNDAY_WEEKS)
        )
    message = str(info.value)
    assert "asset 'weekly' (DAG 'weeks') reads 'orders' (DAG 'days')" in message
    assert "cron_schedule='0 0 * * 0'" in message
    assert "day_offset=1" in message


@pytest.mark.parametrize(
    ("upstream", "downstream"),
    [
        # a rollup needs one timezone ...
        (DailyPartitionsDefinition(start_date="2024-01-01"), MONDAY_WEEKS),
        # ... and calendar-aligned windows
        (DailyPartitionsDefinition(start_date="2024-01-01", hour_offset=6, timezone=PARIS),
         MONDAY_WEEKS),
        # monthly from hourly has no Airflow window
        (HOURLY, MONTHLY),
    ],
)  # fmt: skip
def test_rollups_airflow_has_no_mapper_for_are_refused(
    upstream: PartitionsDefinition, downstream: PartitionsDefinition
) -> None:
    with pytest.raises(DefinitionError, match="asset 'down' \\(DAG 'downs'\\) reads 'up'"):
        plans_by_id(source("up", "ups", upstream), reader("down", "downs", "up", downstream))


def test_every_edge_from_an_upstream_must_translate_not_only_the_first() -> None:
    """One DAG, two assets reading the same upstream of another DAG: Airflow holds one mapper per
    upstream asset, so the untranslatable edge must be refused whichever asset sorts first."""
    for first, second in (("a_same_day", "b_previous_day"), ("b_same_day", "a_previous_day")):
        same_day = reader(first, "deltas", "orders", DAILY)
        previous = reader(second, "deltas", "orders", DAILY, TimeWindowPartitionMapping(-1, -1))
        with pytest.raises(DefinitionError) as info:
            plans_by_id(source("orders", "days", DAILY), same_day, previous)
        assert f"asset '{second}' (DAG 'deltas') reads 'orders' (DAG 'days')" in str(info.value)


def test_an_unpartitioned_asset_in_another_dag_reading_a_partitioned_one_is_refused() -> None:
    with pytest.raises(DefinitionError) as info:
        plans_by_id(source("orders", "days", DAILY), reader("summary", "reports", "orders", None))
    message = str(info.value)
    assert "asset 'summary' is not partitioned" in message
    assert "partitioned asset 'orders' of DAG 'days'" in message
    assert "never triggers an unpartitioned DAG" in message
    assert "same group or job as 'orders'" in message
    assert "AutomationCondition.on_cron" in message


def test_an_unpartitioned_reader_on_a_cron_is_allowed() -> None:
    on_cron = AutomationCondition.on_cron("0 7 * * *", PARIS)
    summary = reader("summary", "reports", "orders", None, automation_condition=on_cron)
    plans = plans_by_id(source("orders", "days", DAILY), summary)
    reports = plans["reports"]
    assert reports.schedule.partitions is None
    assert (reports.schedule.cron, reports.schedule.timezone) == ("0 7 * * *", PARIS)
    assert PARTITION_KEY_PARAM not in {p.name for p in reports.params}


def test_an_unpartitioned_reader_in_the_same_dag_is_allowed() -> None:
    plans = plans_by_id(source("orders", "days", DAILY), reader("summary", "days", "orders", None))
    plan = plans["days"]
    assert isinstance(plan.schedule.partitions, CronPartitions)
    assert [t.task_id for t in plan.tasks] == ["orders", "summary"]


def test_a_partitioned_dag_with_an_on_cron_asset_is_refused() -> None:
    on_cron = AutomationCondition.on_cron("0 7 * * *")
    summary = reader("summary", "days", "orders", None, automation_condition=on_cron)
    with pytest.raises(DefinitionError, match="DAG 'days' is partitioned") as info:
        plans_by_id(source("orders", "days", DAILY), summary)
    assert "Drop the automation_condition" in str(info.value)
