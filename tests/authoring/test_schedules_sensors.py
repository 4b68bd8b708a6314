"""Schedules and sensors as a user writes and unit-tests them (Dagster's names): decorators,
evaluation with build_*_context, what a function may return, and the errors for mistakes and
for arguments that are not built."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from asset2airflow import (
    AssetKey,
    AssetSelection,
    Config,
    ConfigurableResource,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    DefinitionError,
    Definitions,
    DuplicateKeyError,
    DynamicPartitionsDefinition,
    RunConfig,
    RunRequest,
    ScheduleDefinition,
    SelectionError,
    SensorResult,
    SkipReason,
    UserCodeError,
    asset,
    asset_sensor,
    build_run_status_sensor_context,
    build_schedule_context,
    build_schedule_from_partitioned_job,
    build_sensor_context,
    define_asset_job,
    run_failure_sensor,
    run_status_sensor,
    schedule,
    sensor,
)
from asset2airflow.authoring.sensors import DagsterEvent, event_log_entry


class FileConfig(Config):
    filename: str = "none"


@asset(group_name="files")
def processed(config: FileConfig) -> str:
    return config.filename


@asset(group_name="files")
def summary(processed: str) -> int:
    return len(processed)


files_job = define_asset_job("files_job", selection=[processed])


# --- schedules -------------------------------------------------------------------------------


def test_schedule_definition_has_dagster_defaults() -> None:
    daily = ScheduleDefinition(job=files_job, cron_schedule="0 6 * * *")
    assert daily.name == "files_job_schedule"
    assert daily.cron_schedule == "0 6 * * *"
    assert daily.execution_timezone == "UTC"
    assert daily.default_status is DefaultScheduleStatus.STOPPED
    assert daily.is_pure_cron
    tick = daily.evaluate_tick(build_schedule_context())
    assert [r.config for r in tick.run_requests] == [{}]


def test_schedule_run_config_accepts_run_config_objects() -> None:
    daily = ScheduleDefinition(
        name="daily",
        job=files_job,
        cron_schedule=["0 6 * * 1-5", "0 9 * * 6"],
        run_config=RunConfig(ops={"processed": FileConfig(filename="x.csv")}),
        execution_timezone="Europe/Paris",
    )
    assert daily.cron_schedule == ["0 6 * * 1-5", "0 9 * * 6"]
    assert daily.run_config == {"ops": {"processed": {"config": {"filename": "x.csv"}}}}


def test_schedule_function_sees_the_tick_and_returns_run_requests() -> None:
    @schedule(cron_schedule="0 6 * * *", job=files_job, execution_timezone="Europe/Paris")
    def morning(context: Any) -> RunRequest:
        """Process the day's file."""
        day = context.scheduled_execution_time.strftime("%Y-%m-%d")
        return RunRequest(
            run_key=day, run_config={"ops": {"processed": {"config": {"filename": day}}}}
        )

    assert morning.name == "morning" and morning.description == "Process the day's file."
    assert not morning.is_pure_cron
    when = dt.datetime(2024, 3, 4, 6, 0)
    tick = morning.evaluate_tick(build_schedule_context(scheduled_execution_time=when))
    [request] = tick.run_requests
    assert request.run_key == "2024-03-04"
    assert request.config["ops"]["processed"]["config"] == {"filename": "2024-03-04"}
    # Invoking the schedule calls the function, as in Dagster.
    assert morning(build_schedule_context(scheduled_execution_time=when)).run_key == "2024-03-04"


def test_schedule_function_may_return_run_config_or_skip() -> None:
    @schedule(cron_schedule="@daily", job=files_job)
    def config_only() -> dict[str, Any]:
        return {"ops": {"processed": {"config": {"filename": "a"}}}}

    @schedule(cron_schedule="@daily", job=files_job)
    def skipping(context: Any) -> SkipReason:
        return SkipReason("holiday")

    [request] = config_only.evaluate_tick(build_schedule_context()).run_requests
    assert request.config == {"ops": {"processed": {"config": {"filename": "a"}}}}
    tick = skipping.evaluate_tick(build_schedule_context())
    assert tick.run_requests == () and tick.skip_message == "holiday"


def test_schedule_with_should_execute_and_run_config_fn() -> None:
    weekdays = ScheduleDefinition(
        name="weekdays",
        job=files_job,
        cron_schedule="0 6 * * *",
        should_execute=lambda context: context.scheduled_execution_time.weekday() < 5,
        run_config_fn=lambda context: {"ops": {"processed": {"config": {"filename": "w"}}}},
    )
    assert not weekdays.is_pure_cron
    saturday = build_schedule_context(scheduled_execution_time=dt.datetime(2024, 3, 2))
    monday = build_schedule_context(scheduled_execution_time=dt.datetime(2024, 3, 4))
    assert weekdays.evaluate_tick(saturday).skip_message is not None
    assert len(weekdays.evaluate_tick(monday).run_requests) == 1


def test_schedule_mistakes_are_definition_errors() -> None:
    with pytest.raises(DefinitionError, match="not a cron schedule"):
        ScheduleDefinition(job=files_job, cron_schedule="every day")
    with pytest.raises(DefinitionError, match="not an IANA timezone"):
        ScheduleDefinition(job=files_job, cron_schedule="@daily", execution_timezone="Mars/Base")
    with pytest.raises(DefinitionError, match="no job"):
        ScheduleDefinition(name="x", cron_schedule="@daily")
    with pytest.raises(DefinitionError, match="job and target"):
        ScheduleDefinition(name="x", cron_schedule="@daily", job=files_job, target=[processed])
    with pytest.raises(DefinitionError, match="needs name"):
        ScheduleDefinition(cron_schedule="@daily", target=[processed])
    with pytest.raises(DefinitionError, match="job_name='files_job' is not built"):
        ScheduleDefinition(name="x", cron_schedule="@daily", job_name="files_job")
    with pytest.raises(DefinitionError, match="environment_vars= is not built"):
        ScheduleDefinition(job=files_job, cron_schedule="@daily", environment_vars={"A": "1"})


def test_schedule_function_errors_name_the_schedule() -> None:
    @schedule(cron_schedule="@daily", job=files_job)
    def broken(context: Any) -> None:
        raise KeyError("nope")

    @schedule(cron_schedule="@daily", job=files_job)
    def wrong_type(context: Any) -> int:
        return 3

    with pytest.raises(UserCodeError, match="schedule 'broken' .* raised KeyError"):
        broken.evaluate_tick(build_schedule_context())
    with pytest.raises(DefinitionError, match="schedule 'wrong_type' returned 3"):
        wrong_type.evaluate_tick(build_schedule_context())


def test_build_schedule_from_partitioned_job_refuses_offsets() -> None:
    built = build_schedule_from_partitioned_job(
        files_job, default_status=DefaultScheduleStatus.RUNNING
    )
    assert built.from_partitions and built.name == "files_job_schedule"
    with pytest.raises(DefinitionError, match="hour_of_day not built"):
        build_schedule_from_partitioned_job(files_job, hour_of_day=3)


# --- sensors ---------------------------------------------------------------------------------


def test_sensor_cursor_run_keys_and_context() -> None:
    @sensor(job=files_job, minimum_interval_seconds=45)
    def inbox(context: Any) -> Any:
        seen = set(context.cursor.split(",")) if context.cursor else set()
        files = ["a.csv", "b.csv"]
        context.update_cursor(",".join(files))
        for name in files:
            if name not in seen:
                yield RunRequest(
                    run_key=name, run_config=RunConfig(ops={"processed": {"filename": name}})
                )

    assert inbox.minimum_interval_seconds == 45
    assert inbox.default_status is DefaultSensorStatus.STOPPED
    tick = inbox.evaluate_tick(build_sensor_context())
    assert [r.run_key for r in tick.run_requests] == ["a.csv", "b.csv"]
    assert tick.cursor_set and tick.cursor == "a.csv,b.csv"
    again = inbox.evaluate_tick(build_sensor_context(cursor="a.csv,b.csv"))
    assert again.run_requests == () and "requested no runs" in str(again.skip_message)


def test_sensor_defaults_and_no_job() -> None:
    @sensor()
    def watcher(context: Any) -> SkipReason:
        return SkipReason("nothing new")

    assert watcher.minimum_interval_seconds == 30 and watcher.jobs == ()
    assert watcher.evaluate_tick(build_sensor_context()).skip_message == "nothing new"


def test_sensor_result_carries_cursor_and_dynamic_partition_requests() -> None:
    files = DynamicPartitionsDefinition("files")

    @sensor(job=files_job)
    def new_files(context: Any) -> SensorResult:
        keys = ["x.csv", "y.csv"]
        context.instance.add_dynamic_partitions("other", ["k"])
        return SensorResult(
            run_requests=[RunRequest(partition_key=k) for k in keys],
            cursor="y.csv",
            dynamic_partitions_requests=[files.build_add_request(keys)],
        )

    instance = DagsterInstance.ephemeral()
    tick = new_files.evaluate_tick(build_sensor_context(instance=instance))
    assert [r.partition_key for r in tick.run_requests] == ["x.csv", "y.csv"]
    assert tick.cursor == "y.csv"
    assert tick.dynamic_partitions_requests[0].partition_keys == ("x.csv", "y.csv")
    assert instance.get_dynamic_partitions("other") == ["k"]


def test_sensor_result_mistakes() -> None:
    with pytest.raises(DefinitionError, match="both run_requests and a skip_reason"):
        SensorResult(run_requests=[RunRequest()], skip_reason="x")

    @sensor(job=files_job)
    def both(context: Any) -> SensorResult:
        context.update_cursor("a")
        return SensorResult(cursor="b")

    with pytest.raises(DefinitionError, match="set the cursor one way"):
        both.evaluate_tick(build_sensor_context())

    @sensor(job=files_job)
    def returns_config(context: Any) -> dict[str, Any]:
        return {"ops": {}}

    with pytest.raises(DefinitionError, match="sensor 'returns_config' returned"):
        returns_config.evaluate_tick(build_sensor_context())


def test_run_request_validation() -> None:
    assert RunRequest(tags={"n": 3}).tags == {"n": "3"}
    assert RunRequest(asset_selection=["a/b"]).asset_selection == (AssetKey(["a", "b"]),)
    with pytest.raises(DefinitionError, match="stale_assets_only=True\\) is not built"):
        RunRequest(stale_assets_only=True)
    with pytest.raises(DefinitionError, match="asset_check_keys"):
        RunRequest(asset_check_keys=[])
    with pytest.raises(DefinitionError, match="run_key is a string"):
        RunRequest(run_key=3)  # type: ignore[arg-type]


class Inbox(ConfigurableResource):
    path: str


def test_sensor_resources_are_passed_by_parameter() -> None:
    @sensor(job=files_job)
    def with_resource(context: Any, inbox: Inbox) -> RunRequest:
        return RunRequest(run_key=inbox.path)

    tick = with_resource.evaluate_tick(build_sensor_context(resources={"inbox": Inbox(path="/in")}))
    assert tick.run_requests[0].run_key == "/in"
    with pytest.raises(DefinitionError, match="needs resource 'inbox'"):
        with_resource.evaluate_tick(build_sensor_context())


def test_asset_sensor_receives_the_event() -> None:
    @asset_sensor(asset_key=AssetKey("processed"), job=files_job)
    def on_processed(context: Any, asset_event: Any) -> RunRequest:
        rows = asset_event.asset_materialization.metadata["rows"].value
        return RunRequest(run_key=asset_event.run_id, tags={"rows": str(rows)})

    event = event_log_entry(
        AssetKey("processed"),
        run_id="manual__1",
        job_name="files",
        timestamp=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc),
        extra={"metadata": {"rows": {"type": "int", "value": 7}}},
    )
    assert event.dagster_event.asset_key == AssetKey("processed") and event.timestamp == 1704067200
    [request] = on_processed.evaluate_tick(build_sensor_context(), event=event).run_requests
    assert request.run_key == "manual__1" and request.tags == {"rows": "7"}
    with pytest.raises(DefinitionError, match="minimum_interval_seconds is not built"):
        asset_sensor(asset_key="processed", job=files_job, minimum_interval_seconds=5)(
            lambda context, event: None
        )


def test_run_status_sensors() -> None:
    seen: list[str] = []

    @run_failure_sensor(monitored_jobs=[files_job], default_status=DefaultSensorStatus.RUNNING)
    def alert(context: Any) -> None:
        seen.append(f"{context.dagster_run.job_name}: {context.failure_event.message}")

    run = DagsterRun("files_job", "run-1", DagsterRunStatus.FAILURE)
    event = DagsterEvent("RUN_FAILURE", "files_job", message="task 'processed' failed")
    alert.evaluate(build_run_status_sensor_context("alert", event, run))
    assert seen == ["files_job: task 'processed' failed"]

    @run_failure_sensor
    def bare(context: Any) -> None: ...

    assert bare.name == "bare" and bare.monitors_all

    def notify(context: Any) -> None: ...

    with pytest.raises(DefinitionError, match="run_status=.*STARTED.*not built"):
        run_status_sensor(run_status=DagsterRunStatus.STARTED)(notify)
    with pytest.raises(DefinitionError, match="request_job= is not built"):
        run_failure_sensor(request_job=files_job)(notify)
    with pytest.raises(DefinitionError, match="default_status= is not built"):
        run_failure_sensor(default_status=DefaultSensorStatus.STOPPED)(notify)


# --- Definitions -------------------------------------------------------------------------------


def test_definitions_collect_the_jobs_of_schedules_and_sensors() -> None:
    daily = ScheduleDefinition(job=files_job, cron_schedule="@daily")

    @sensor(target=AssetSelection.assets(summary))
    def summaries(context: Any) -> None: ...

    defs = Definitions(assets=[processed, summary], schedules=[daily], sensors=[summaries])
    assert [j.name for j in defs.jobs] == ["files_job", "summaries_job"]
    merged = Definitions.merge(defs, Definitions(assets=[]))
    assert merged.schedules == [daily] and merged.sensors == [summaries]


def test_definitions_refuse_clashing_or_misplaced_instigators() -> None:
    daily = ScheduleDefinition(name="same", job=files_job, cron_schedule="@daily")

    @sensor(job=files_job, name="same")
    def other(context: Any) -> None: ...

    with pytest.raises(DuplicateKeyError, match="both named 'same'"):
        Definitions(assets=[processed], schedules=[daily], sensors=[other])
    with pytest.raises(DefinitionError, match="a sensor: pass it in sensors="):
        Definitions(assets=[processed], schedules=[other])

    @sensor(target="summary")
    def unknown_target(context: Any) -> None: ...

    with pytest.raises(SelectionError, match="job 'unknown_target_job'.*summary"):
        Definitions(assets=[processed], sensors=[unknown_target])
