"""Schedule and sensor DAGs run by Airflow (a real metadata DB, ``dag.test()``): a sensor's
cursor and run keys live in Airflow's asset state store across evaluations, a run key never
triggers twice, run requests become DAG runs with conf and partition key, a function schedule
triggers its job for its tick, and a run failure sensor sees the failed run."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.airflow.conftest import asset_events, task_states

pytestmark = pytest.mark.integration
STORAGE = Path(tempfile.gettempdir()) / "asset2airflow-test-sensor-dags"

MODULE = """
import json
from datetime import date
from pathlib import Path

from asset2airflow import (AssetExecutionContext, Config, DailyPartitionsDefinition,
                           DefaultSensorStatus, Definitions,
                           DynamicPartitionsDefinition, FilesystemIOManager,
                           MaterializeResult, RunRequest,
                           SensorResult, SkipReason, asset, asset_sensor, define_asset_job,
                           run_failure_sensor, schedule, sensor)
from asset2airflow.airflow import build_dags

INBOX = Path({inbox!r})
SEEN = Path({seen!r})
# One storage (so one Airflow asset URI) for every test: the tests share one Airflow DB.
STORAGE = {storage!r}
uploads = DynamicPartitionsDefinition("sd_uploads")


class FileConfig(Config):
    filename: str = "none"


def config(node, **fields):
    return {{"ops": {{node: {{"config": fields}}}}}}


@asset(group_name="sd_files")
def sd_processed(context: AssetExecutionContext, config: FileConfig) -> str:
    return config.filename.upper() + "|" + context.run.tags.get("file", "no tag")


@asset(group_name="sd_uploads", partitions_def=uploads)
def sd_upload(context: AssetExecutionContext) -> str:
    return context.partition_key


@asset(group_name="sd_broken")
def sd_broken() -> int:
    raise ValueError("the source is down")


@asset(group_name="sd_daily", partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
def sd_daily(context: AssetExecutionContext) -> str:
    return context.partition_key


@schedule(cron_schedule="0 1 * * *", job=define_asset_job("sd_daily_job", selection=[sd_daily]))
def sd_yesterday(context):
    day = context.scheduled_execution_time.date().toordinal() - 1
    return RunRequest(partition_key=date.fromordinal(day).isoformat())


files_job = define_asset_job("sd_process_files", selection=[sd_processed])
uploads_job = define_asset_job("sd_uploads_job", selection=[sd_upload])
broken_job = define_asset_job("sd_broken_job", selection=[sd_broken])


@asset(group_name="sd_source")
def sd_source() -> MaterializeResult:
    return MaterializeResult(value=1, metadata={{"rows": 12}})


@asset_sensor(asset_key="sd_source", job=files_job)
def sd_on_source(context, asset_event):
    rows = asset_event.asset_materialization.metadata["rows"].value
    return RunRequest(run_key=asset_event.run_id,
                      run_config=config("sd_processed", filename=f"rows={{rows}}"))


@sensor(job=files_job, minimum_interval_seconds=15, default_status=DefaultSensorStatus.RUNNING)
def sd_inbox(context):
    evaluations = int(context.cursor or 0) + 1
    context.update_cursor(str(evaluations))
    names = sorted(p.name for p in INBOX.iterdir())
    if not names:
        return SkipReason("the inbox is empty")
    return [
        RunRequest(run_key=name, run_config=config("sd_processed", filename=name),
                   tags={{"file": name}})
        for name in names
    ]


@sensor(job=uploads_job)
def sd_new_uploads(context):
    keys = sorted(p.name for p in INBOX.iterdir())
    return SensorResult(
        run_requests=[RunRequest(run_key=k, partition_key=k) for k in keys],
        dynamic_partitions_requests=[uploads.build_add_request(keys)],
        cursor=",".join(keys),
    )


@schedule(cron_schedule="0 6 * * *", job=files_job, execution_timezone="Europe/Paris")
def sd_morning(context):
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return RunRequest(run_config=config("sd_processed", filename=day))


@run_failure_sensor(monitored_jobs=[broken_job])
def sd_on_failure(context):
    SEEN.write_text(json.dumps({{"job": context.dagster_run.job_name,
                                "run_id": context.dagster_run.run_id,
                                "message": context.failure_event.message}}))


build_dags(Definitions(assets=[sd_processed, sd_upload, sd_broken, sd_source, sd_daily],
                       jobs=[files_job, uploads_job, broken_job],
                       schedules=[sd_morning, sd_yesterday],
                       sensors=[sd_inbox, sd_new_uploads, sd_on_failure, sd_on_source],
                       resources={{"io_manager": FilesystemIOManager(base_dir=STORAGE)}}))
"""


def dag_runs(dag_id: str) -> list[Any]:
    from airflow.models import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        runs = session.query(DagRun).filter(DagRun.dag_id == dag_id).order_by(DagRun.id).all()
        session.expunge_all()
        return runs


def stored_state(asset_name: str) -> dict[str, Any]:
    """The asset state store of ``asset_name``, read in a fresh process (from the DB only)."""
    code = (
        "import json, sys\n"
        "from airflow.models.asset import AssetModel\n"
        "from airflow.models.asset_state_store import AssetStateStoreModel\n"
        "from airflow.utils.session import create_session\n"
        "with create_session() as s:\n"
        "    rows = s.query(AssetStateStoreModel).join(AssetModel, AssetModel.id == "
        "AssetStateStoreModel.asset_id).filter(AssetModel.name == sys.argv[1]).all()\n"
        "    print(json.dumps({r.key: r.value for r in rows}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, asset_name], capture_output=True, text=True, check=True
    )
    return {k: json.loads(v) for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items()}


@pytest.fixture
def sensor_dags(load_dag_file: Callable[..., Any], tmp_path: Path) -> tuple[dict[str, Any], Path]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    seen = tmp_path / "seen.json"
    source = MODULE.format(inbox=str(inbox), seen=str(seen), storage=str(STORAGE))
    return load_dag_file("sensor_dags.py", source), inbox


def test_sensor_cursor_and_run_keys_persist_across_evaluations(
    sensor_dags: tuple[dict[str, Any], Path],
) -> None:
    dags, inbox = sensor_dags
    (inbox / "a.csv").write_text("1")
    (inbox / "b.csv").write_text("2")
    first = dags["sd_inbox"].test()
    assert task_states(first) == {"evaluate": "success"}
    runs = dag_runs("sd_process_files")
    assert sorted(r.conf["sd_processed__filename"] for r in runs) == ["a.csv", "b.csv"]
    assert all(r.run_id.startswith("sensor__sd_inbox__") for r in runs)
    assert runs[0].conf["asset2airflow_tags"] == {"file": runs[0].conf["sd_processed__filename"]}

    (inbox / "c.csv").write_text("3")
    second = dags["sd_inbox"].test()
    assert task_states(second) == {"evaluate": "success"}
    runs = dag_runs("sd_process_files")
    # a.csv and b.csv were requested again but their run keys were used: one new run only.
    assert sorted(r.conf["sd_processed__filename"] for r in runs) == ["a.csv", "b.csv", "c.csv"]

    state = stored_state("asset2airflow-sensors/sd_inbox")
    assert state["cursor"] == "2"  # the second evaluation read the first one's cursor
    assert state["run_key:c.csv"]["dag_id"] == "sd_process_files"
    assert state["last_run_key"] == "c.csv"

    for name in ("a.csv", "b.csv", "c.csv"):
        (inbox / name).unlink()
    third = dags["sd_inbox"].test()
    assert task_states(third) == {"evaluate": "skipped"}  # SkipReason: the inbox is empty
    assert stored_state("asset2airflow-sensors/sd_inbox")["cursor"] == "3"
    assert len(dag_runs("sd_process_files")) == 3


def test_a_triggered_run_uses_the_request_config_and_tags(
    sensor_dags: tuple[dict[str, Any], Path],
) -> None:
    dags, inbox = sensor_dags
    (inbox / "z.csv").write_text("1")
    dags["sd_inbox"].test()
    [triggered] = [r for r in dag_runs("sd_process_files") if "z.csv" in r.run_id]
    run = dags["sd_process_files"].test(run_conf=dict(triggered.conf))
    assert run.state == "success"
    stored = STORAGE / "sd_processed.pickle"
    assert pickle.loads(stored.read_bytes()) == "Z.CSV|z.csv"  # config and tags arrived


def test_sensor_result_adds_dynamic_partitions_and_passes_partition_keys(
    sensor_dags: tuple[dict[str, Any], Path],
) -> None:
    dags, inbox = sensor_dags
    (inbox / "u1.png").write_text("1")
    before = len(asset_events("asset2airflow-partitions/sd_uploads"))
    run = dags["sd_new_uploads"].test()
    assert task_states(run) == {"evaluate": "success"}
    added = asset_events("asset2airflow-partitions/sd_uploads")[before:]
    assert [e["asset2airflow_dynamic_partitions"]["added"] for e in added] == [["u1.png"]]
    [triggered] = [r for r in dag_runs("sd_uploads_job") if "u1.png" in r.run_id]
    assert triggered.conf == {"partition_key": "u1.png"}
    assert dags["sd_uploads_job"].test(run_conf=dict(triggered.conf)).state == "success"


def test_function_schedule_triggers_its_job_for_its_tick(
    sensor_dags: tuple[dict[str, Any], Path],
) -> None:
    import datetime as dt

    dags, _ = sensor_dags
    tick = dt.datetime(2024, 3, 4, 5, 0, tzinfo=dt.timezone.utc)  # 06:00 in Paris
    run = dags["sd_morning"].test(logical_date=tick)
    assert task_states(run) == {"evaluate": "success"}
    triggered = [r for r in dag_runs("sd_process_files") if r.run_id.startswith("schedule__")]
    assert [r.conf for r in triggered][-1] == {"sd_processed__filename": "2024-03-04"}


def test_run_failure_sensor_sees_the_failed_run(
    sensor_dags: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    dags, _ = sensor_dags
    run = dags["sd_broken_job"].test()
    assert run.state == "failed"
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert seen["job"] == "sd_broken_job"
    assert seen["run_id"] == run.run_id
    assert "sd_broken" in seen["message"] and "failed" in seen["message"]


def test_asset_sensor_handles_each_new_event_once(
    sensor_dags: tuple[dict[str, Any], Path],
) -> None:
    dags, _ = sensor_dags
    source_run = dags["sd_source"].test()
    assert source_run.state == "success"
    assert task_states(dags["sd_on_source"].test()) == {"evaluate": "success"}

    def triggered() -> list[Any]:
        return [r for r in dag_runs("sd_process_files") if r.run_id.startswith("asset_sensor__")]

    [run] = triggered()
    assert run.conf == {"sd_processed__filename": "rows=12"}
    assert stored_state("asset2airflow-sensors/sd_on_source")["run_key:" + source_run.run_id]
    # No new event: the next evaluation handles nothing and triggers nothing.
    assert task_states(dags["sd_on_source"].test()) == {"evaluate": "skipped"}
    assert len(triggered()) == 1
    second = dags["sd_source"].test()
    dags["sd_on_source"].test()
    assert sorted(r.conf["sd_processed__filename"] for r in triggered()) == ["rows=12"] * 2
    assert {second.run_id, source_run.run_id} <= {
        v["run_key"]
        for k, v in stored_state("asset2airflow-sensors/sd_on_source").items()
        if k.startswith("run_key:")
    }


def test_schedule_request_for_a_partition_of_a_cron_partitioned_job(
    sensor_dags: tuple[dict[str, Any], Path],
) -> None:
    import datetime as dt

    dags, _ = sensor_dags
    tick = dt.datetime(2024, 3, 4, 1, 0, tzinfo=dt.timezone.utc)
    assert task_states(dags["sd_yesterday"].test(logical_date=tick)) == {"evaluate": "success"}
    [triggered] = dag_runs("sd_daily_job")
    assert triggered.conf == {"partition_key": "2024-03-03"}
    assert dags["sd_daily_job"].test(run_conf=dict(triggered.conf)).state == "success"
    stored = STORAGE / "sd_daily.partitions" / "2024-03-03.pickle"
    assert pickle.loads(stored.read_bytes()) == "2024-03-03"
