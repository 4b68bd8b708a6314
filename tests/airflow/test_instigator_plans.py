"""Schedules, sensors and automation conditions compiled to Airflow, as plans and as parsed
DAGs: which timetable each DAG gets, paused at creation, param defaults from run config, the
callbacks of run status sensors, and the mistakes refused at compile time. Parsing never
evaluates a schedule or sensor function."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from asset2airflow import (
    AutomationCondition,
    Config,
    DailyPartitionsDefinition,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    DefinitionError,
    Definitions,
    DuplicateKeyError,
    RunRequest,
    ScheduleDefinition,
    asset,
    asset_sensor,
    build_schedule_from_partitioned_job,
    define_asset_job,
    run_failure_sensor,
    run_status_sensor,
    schedule,
    sensor,
)
from asset2airflow.airflow.arguments import dag_arguments, schedule_argument, task_call
from asset2airflow.airflow.dag_plan import DagPlan, InstigatorKind, InstigatorSource
from asset2airflow.airflow.instigator_plan import build_instigator_plans
from asset2airflow.airflow.plan import build_dag_plans
from asset2airflow.authoring.run_requests import DagsterRunStatus
from tests.airflow.test_parsing import parse_folder


class Window(Config):
    days: int = 7


@asset(group_name="ingest")
def orders(config: Window) -> int:
    return config.days


@asset(group_name="reports")
def report(orders: int) -> int:
    return orders


days = DailyPartitionsDefinition(start_date="2024-01-01")


def source_of(plan: DagPlan) -> InstigatorSource:
    assert isinstance(plan.source, InstigatorSource)
    return plan.source


@asset(group_name="daily", partitions_def=days)
def daily_orders() -> int:
    return 1


orders_job = define_asset_job("orders_job", selection=[orders])
daily_job = define_asset_job("daily_job", selection=[daily_orders])


def plans_of(defs: Definitions) -> dict[str, DagPlan]:
    return {p.dag_id: p for p in build_dag_plans(defs, dags_folder="/dags")}


def schedule_of(plan: DagPlan) -> str:
    return repr(schedule_argument(plan.schedule))


# --- schedules ---------------------------------------------------------------------------------


def test_pure_cron_schedule_is_the_job_dags_own_timetable() -> None:
    nightly = ScheduleDefinition(
        name="nightly",
        job=orders_job,
        cron_schedule="0 2 * * *",
        execution_timezone="Europe/Paris",
        run_config={"ops": {"orders": {"config": {"days": 30}}}},
        default_status=DefaultScheduleStatus.RUNNING,
    )
    defs = Definitions(assets=[orders, report], schedules=[nightly])
    plan = plans_of(defs)["orders_job"]
    assert schedule_of(plan) == "CronTriggerTimetable('0 2 * * *', timezone='Europe/Paris')"
    assert plan.is_paused_upon_creation is False and plan.schedules == ("nightly",)
    [days_param] = [p for p in plan.params if p.name == "orders__days"]
    assert days_param.default == 30
    assert build_instigator_plans(defs, list(plans_of(defs).values())) == []


def test_stopped_schedule_pauses_and_several_crons_make_one_timetable() -> None:
    twice = ScheduleDefinition(
        name="twice", job=orders_job, cron_schedule=["0 6 * * *", "0 18 * * *"]
    )
    plan = plans_of(Definitions(assets=[orders, report], schedules=[twice]))["orders_job"]
    assert plan.is_paused_upon_creation is True
    assert schedule_of(plan) == (
        "MultipleCronTriggerTimetable('0 6 * * *', '0 18 * * *', timezone='UTC')"
    )


def test_a_cron_schedule_on_an_asset_triggered_dag_runs_on_either() -> None:
    reports_job = define_asset_job("reports_job", selection=[report])
    weekly = ScheduleDefinition(name="weekly", job=reports_job, cron_schedule="@weekly")
    plan = plans_of(Definitions(assets=[orders, report], schedules=[weekly]))["reports_job"]
    assert schedule_of(plan).startswith("AssetOrTimeSchedule(timetable=CronTriggerTimetable(")


def test_a_job_started_by_two_instigators_gets_a_schedule_dag() -> None:
    nightly = ScheduleDefinition(name="nightly", job=orders_job, cron_schedule="0 2 * * *")

    @sensor(job=orders_job, minimum_interval_seconds=60)
    def watch(context: Any) -> None: ...

    defs = Definitions(assets=[orders, report], schedules=[nightly], sensors=[watch])
    plans = plans_of(defs)
    assert schedule_of(plans["orders_job"]) == "None"
    instigators = {p.dag_id: p for p in build_instigator_plans(defs, list(plans.values()))}
    assert set(instigators) == {"nightly", "watch"}
    assert source_of(instigators["nightly"]).kind is InstigatorKind.SCHEDULE
    assert source_of(instigators["nightly"]).targets == (("orders_job", "orders_job"),)
    arguments = dag_arguments(instigators["nightly"])
    assert repr(arguments["schedule"]) == "CronTriggerTimetable('0 2 * * *', timezone='UTC')"
    assert arguments["is_paused_upon_creation"] is True


def test_function_schedule_is_a_schedule_dag_and_target_assets_make_a_job() -> None:
    @schedule(
        cron_schedule="*/5 * * * *", target=[report], default_status=DefaultScheduleStatus.RUNNING
    )
    def every_five(context: Any) -> RunRequest:
        return RunRequest()

    defs = Definitions(assets=[orders, report], schedules=[every_five])
    plans = plans_of(defs)
    assert plans["every_five_job"].asset_keys == ("report",)
    [instigator] = build_instigator_plans(defs, list(plans.values()))
    assert instigator.dag_id == "every_five" and not instigator.is_paused_upon_creation
    assert source_of(instigator).targets == (("every_five_job", "every_five_job"),)
    assert source_of(instigator).state_asset is None


def test_partition_schedules() -> None:
    running = build_schedule_from_partitioned_job(
        daily_job, default_status=DefaultScheduleStatus.RUNNING
    )
    plan = plans_of(Definitions(assets=[daily_orders], schedules=[running]))["daily_job"]
    assert schedule_of(plan).startswith("CronPartitionTimetable('0 0 * * *'")
    assert plan.is_paused_upon_creation is False

    with pytest.raises(DefinitionError, match="needs a job of time-window partitions"):
        plans_of(
            Definitions(
                assets=[orders, report], schedules=[build_schedule_from_partitioned_job(orders_job)]
            )
        )
    plain = ScheduleDefinition(name="plain", job=daily_job, cron_schedule="@daily")
    with pytest.raises(
        DefinitionError, match="is partitioned.*build_schedule_from_partitioned_job"
    ):
        plans_of(Definitions(assets=[daily_orders], schedules=[plain]))


def test_schedule_run_config_must_name_config_fields() -> None:
    wrong = ScheduleDefinition(
        name="wrong",
        job=orders_job,
        cron_schedule="@daily",
        run_config={"ops": {"orders": {"config": {"weeks": 2}}}},
    )
    with pytest.raises(DefinitionError, match=r"orders\.weeks.*its fields: \['orders\.days'\]"):
        plans_of(Definitions(assets=[orders, report], schedules=[wrong]))


# --- sensors -----------------------------------------------------------------------------------


def test_sensor_dag_plan() -> None:
    @sensor(job=orders_job, minimum_interval_seconds=45, default_status=DefaultSensorStatus.RUNNING)
    def inbox(context: Any) -> None: ...

    @asset_sensor(asset_key="orders", job=orders_job)
    def on_orders(context: Any, event: Any) -> None: ...

    defs = Definitions(assets=[orders, report], sensors=[inbox, on_orders])
    found = {p.dag_id: p for p in build_instigator_plans(defs, list(plans_of(defs).values()))}
    arguments = dag_arguments(found["inbox"])
    assert repr(arguments["schedule"]) == "DeltaTriggerTimetable(timedelta(seconds=45))"
    assert arguments["max_active_runs"] == 1 and arguments["is_paused_upon_creation"] is False
    task = task_call(found["inbox"].tasks[0]).arguments
    assert repr(task["inlets"][0]).startswith(
        "Asset(name='asset2airflow-sensors/inbox', uri='asset2airflow-sensor://inbox'"
    )
    asset_arguments = dag_arguments(found["on_orders"])
    assert repr(asset_arguments["schedule"]).startswith("AssetAll(Asset(name='orders', uri=")
    on_orders_inlets = task_call(found["on_orders"].tasks[0]).arguments["inlets"]
    assert repr(on_orders_inlets[1]).startswith("Asset(name='orders', uri=")
    assert asset_arguments["is_paused_upon_creation"] is True
    assert source_of(found["on_orders"]).kind is InstigatorKind.ASSET_SENSOR


def test_asset_sensor_on_a_partitioned_asset_is_refused() -> None:
    @asset_sensor(asset_key="daily_orders", job=orders_job)
    def on_daily(context: Any, event: Any) -> None: ...

    defs = Definitions(assets=[orders, daily_orders], sensors=[on_daily])
    with pytest.raises(DefinitionError, match="partitioned asset 'daily_orders'"):
        build_instigator_plans(defs, list(plans_of(defs).values()))


def test_a_sensor_named_like_a_dag_is_refused() -> None:
    @sensor(job=orders_job, name="reports")
    def clash(context: Any) -> None: ...

    defs = Definitions(assets=[orders, report], sensors=[clash])
    with pytest.raises(DuplicateKeyError, match="DAG id 'reports' would be made twice"):
        build_instigator_plans(defs, list(plans_of(defs).values()))


def test_run_status_sensors_become_callbacks_of_monitored_dags() -> None:
    @run_failure_sensor(monitored_jobs=[orders_job])
    def on_orders_failure(context: Any) -> None: ...

    @run_failure_sensor
    def on_any_failure(context: Any) -> None: ...

    @run_status_sensor(run_status=DagsterRunStatus.SUCCESS)
    def on_success(context: Any) -> None: ...

    defs = Definitions(
        assets=[orders, report], sensors=[on_orders_failure, on_any_failure, on_success]
    )
    plans = plans_of(defs)
    assert plans["orders_job"].failure_sensors == ("on_orders_failure", "on_any_failure")
    assert plans["reports"].failure_sensors == ("on_any_failure",)
    assert plans["reports"].success_sensors == ("on_success",)
    assert build_instigator_plans(defs, list(plans.values())) == []


# --- automation conditions ---------------------------------------------------------------------


def automated(condition: AutomationCondition, with_upstream: bool = True) -> str:
    @asset(group_name="base")
    def base() -> int:
        return 1

    if with_upstream:

        @asset(group_name="auto", automation_condition=condition)
        def auto(base: int) -> int:
            return base

        defs = Definitions(assets=[base, auto])
    else:

        @asset(group_name="auto", automation_condition=condition)
        def auto_root() -> int:
            return 1

        defs = Definitions(assets=[base, auto_root])
    return schedule_of(plans_of(defs)["auto"])


BASE = "Asset(name='base', uri="


def test_automation_conditions_map_to_airflow_schedules() -> None:
    eager = automated(AutomationCondition.eager())
    assert eager.startswith(f"AssetAny({BASE}")
    assert automated(AutomationCondition.any_deps_updated()) == eager
    assert automated(AutomationCondition.on_missing()).startswith(f"AssetAll({BASE}")
    assert automated(AutomationCondition.eager(), with_upstream=False) == "'@once'"
    assert automated(AutomationCondition.on_missing(), with_upstream=False) == "'@once'"
    assert automated(AutomationCondition.on_cron("0 6 * * *", "Europe/Paris"), False) == (
        "CronTriggerTimetable('0 6 * * *', timezone='Europe/Paris')"
    )
    cron_or = automated(AutomationCondition.on_cron("@daily") | AutomationCondition.eager())
    assert cron_or.startswith("AssetOrTimeSchedule(timetable=CronTriggerTimetable('@daily'")
    assert f"assets=AssetAny({BASE}" in cron_or
    assert (
        automated(
            AutomationCondition.on_cron("0 6 * * *") | AutomationCondition.on_cron("0 18 * * *"),
            False,
        )
        == "MultipleCronTriggerTimetable('0 6 * * *', '0 18 * * *', timezone='UTC')"
    )
    # One upstream: AssetAll(base) & AssetAny(base) is the asset itself, in an AssetAll.
    both = automated(AutomationCondition.on_missing() & AutomationCondition.any_deps_updated())
    assert both.startswith(f"AssetAll({BASE}") and both.count(BASE) == 1


def test_automation_conditions_airflow_cannot_express_are_refused() -> None:
    with pytest.raises(DefinitionError, match="cannot wait for a cron tick AND"):
        automated(AutomationCondition.on_cron("@daily") & AutomationCondition.eager())
    with pytest.raises(DefinitionError, match="nothing would ever trigger it"):
        automated(AutomationCondition.any_deps_updated(), with_upstream=False)
    with pytest.raises(DefinitionError, match="'@once'.*cannot be combined"):
        automated(AutomationCondition.eager() | AutomationCondition.on_cron("@daily"), False)
    with pytest.raises(
        DefinitionError, match=r"missing\(\) has no Airflow translation.*on_missing"
    ):
        AutomationCondition.missing()  # type: ignore[attr-defined]
    with pytest.raises(DefinitionError, match="~ \\(not\\) has no Airflow translation"):
        ~AutomationCondition.eager()
    with pytest.raises(DefinitionError, match=r"\.since\(\) has no Airflow translation"):
        AutomationCondition.eager().since(AutomationCondition.eager())  # type: ignore[attr-defined]
    with pytest.raises(DefinitionError, match="not a cron schedule"):
        AutomationCondition.on_cron("daily")


def test_assets_of_one_dag_with_different_conditions_are_refused() -> None:
    @asset(group_name="mixed", automation_condition=AutomationCondition.on_cron("@daily"))
    def first() -> int:
        return 1

    @asset(group_name="mixed", automation_condition=AutomationCondition.on_cron("@hourly"))
    def second() -> int:
        return 2

    with pytest.raises(DefinitionError, match="different automation conditions: 'first' has"):
        plans_of(Definitions(assets=[first, second]))


# --- parsed by Airflow -------------------------------------------------------------------------

PARSED = """
from pathlib import Path
from asset2airflow import (DefaultScheduleStatus, DefaultSensorStatus, Definitions, RunRequest,
                           ScheduleDefinition, asset, define_asset_job, run_failure_sensor,
                           schedule, sensor)
from asset2airflow.airflow import build_dags

MARKER = Path({marker!r})

@asset(group_name="pp_ingest")
def pp_orders() -> int:
    return 1

job = define_asset_job("pp_job", selection=[pp_orders])

@sensor(job=job, minimum_interval_seconds=20, default_status=DefaultSensorStatus.RUNNING)
def pp_sensor(context):
    MARKER.write_text("sensor evaluated")
    raise RuntimeError("evaluated at parse time")

@schedule(cron_schedule="0 * * * *", job=job)
def pp_schedule(context):
    MARKER.write_text("schedule evaluated")
    raise RuntimeError("evaluated at parse time")

@run_failure_sensor
def pp_failures(context):
    MARKER.write_text("callback evaluated")

build_dags(Definitions(assets=[pp_orders], schedules=[pp_schedule],
                       sensors=[pp_sensor, pp_failures]))
"""


def test_parsed_dags_never_evaluate_functions_and_serialize_stably(tmp_path: Path) -> None:
    marker = tmp_path / "marker.txt"
    folder = tmp_path / "dags"
    folder.mkdir()
    (folder / "pp_dags.py").write_text(PARSED.format(marker=str(marker)))
    first, second = parse_folder(folder), parse_folder(folder)
    assert first["errors"] == {}
    assert first["dags"] == ["pp_job", "pp_schedule", "pp_sensor"]
    assert first["serialized"] == second["serialized"]
    assert not marker.exists()
    sensor_dag = first["serialized"]["pp_sensor"]
    assert (
        "DeltaTriggerTimetable" in sensor_dag and '"is_paused_upon_creation": false' in sensor_dag
    )
    assert '"has_on_failure_callback": true' in first["serialized"]["pp_job"]
    worker = parse_folder(folder, {"_AIRFLOW_PARSING_CONTEXT_DAG_ID": "pp_sensor"})
    assert worker["dags"] == ["pp_sensor"]


def test_cli_lists_and_validates_schedule_and_sensor_dags(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    module = tmp_path / "cli_dags.py"
    module.write_text(
        PARSED.format(marker=str(tmp_path / "marker.txt")).replace("build_dags(", "defs = (")
    )
    command = [sys.executable, "-m", "asset2airflow.cli.main"]
    listed = subprocess.run(
        [*command, "dags", str(module), "--json"], capture_output=True, text=True, timeout=120
    )
    assert listed.returncode == 0, listed.stderr
    by_id = {d["dag_id"]: d for d in json.loads(listed.stdout)}
    assert by_id["pp_sensor"]["schedule"] == "DeltaTriggerTimetable(timedelta(seconds=20))"
    assert by_id["pp_sensor"]["targets"] == ["pp_job"]
    assert by_id["pp_schedule"]["kind"] == "schedule"
    checked = subprocess.run(
        [*command, "validate", str(module)], capture_output=True, text=True, timeout=120
    )
    assert checked.returncode == 0 and "3 DAGs" in checked.stdout, checked.stderr
    assert not (tmp_path / "marker.txt").exists()
