"""Schedules and sensors on a real ``airflow standalone``: the scheduler drives them.

- a file sensor triggers exactly one run per new file across several evaluations;
- an asset sensor triggers its job when the upstream asset is materialized;
- a run failure sensor sees the failing run (DAG, run id, failed task);
- an every-minute schedule fires (a cron schedule as the job DAG's timetable, and a function
  schedule's DAG triggering its job);
- the sensor's cursor and run keys are in Airflow's metadata DB: after the scheduler is
  stopped and a new one started, no file is triggered twice and a new file once.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import textwrap
import time
from collections.abc import Iterator
from typing import Any

import pytest

from asset2airflow.testing.standalone import AirflowStandalone, wait_until

pytestmark = pytest.mark.e2e

MODULE = """
import json
from pathlib import Path

from asset2airflow import (AssetExecutionContext, Config, DefaultScheduleStatus,
                           DefaultSensorStatus, Definitions, RunRequest, ScheduleDefinition,
                           SkipReason, asset, asset_sensor, define_asset_job,
                           run_failure_sensor, schedule, sensor)
from asset2airflow.airflow import build_dags

HOME = Path({home!r})
INBOX = HOME / "sse_inbox"
RUNNING = DefaultSensorStatus.RUNNING


class FileConfig(Config):
    filename: str = "none"


def config(node, **fields):
    return {{"ops": {{node: {{"config": fields}}}}}}


@asset(group_name="sse_files")
def sse_processed(context: AssetExecutionContext, config: FileConfig) -> str:
    context.log.info("processing %s (tags %s)", config.filename, dict(context.run.tags))
    return config.filename


@asset(group_name="sse_ticks")
def sse_tick() -> str:
    return "tick"


@asset(group_name="sse_upstream")
def sse_upstream() -> int:
    return 42


class SourceRun(Config):
    source_run: str = "none"


@asset(group_name="sse_downstream")
def sse_downstream(config: SourceRun) -> str:
    return config.source_run


@asset(group_name="sse_broken")
def sse_broken() -> int:
    raise ValueError("the source is down")


files_job = define_asset_job("sse_files_job", selection=[sse_processed])
ticks_job = define_asset_job("sse_ticks_job", selection=[sse_tick])
downstream_job = define_asset_job("sse_downstream_job", selection=[sse_downstream])
broken_job = define_asset_job("sse_broken_job", selection=[sse_broken])


@sensor(job=files_job, minimum_interval_seconds=5, default_status=RUNNING)
def sse_inbox(context):
    context.update_cursor(str(int(context.cursor or 0) + 1))  # counts evaluations
    names = sorted(p.name for p in INBOX.iterdir()) if INBOX.is_dir() else []
    if not names:
        return SkipReason("the inbox is empty")
    return [RunRequest(run_key=name, tags={{"file": name}},
                       run_config=config("sse_processed", filename=name))
            for name in names]


every_minute = ScheduleDefinition(name="sse_every_minute", job=ticks_job,
                                  cron_schedule="*/1 * * * *",
                                  default_status=DefaultScheduleStatus.RUNNING)


@schedule(cron_schedule="*/1 * * * *", job=downstream_job,
          default_status=DefaultScheduleStatus.RUNNING)
def sse_minutely(context):
    tick = context.scheduled_execution_time.strftime("%H:%M")
    return RunRequest(run_config=config("sse_downstream", source_run="tick " + tick))


@asset_sensor(asset_key="sse_upstream", job=downstream_job, default_status=RUNNING)
def sse_on_upstream(context, asset_event):
    return RunRequest(run_key=asset_event.run_id,
                      run_config=config("sse_downstream", source_run=asset_event.run_id))


@run_failure_sensor(monitored_jobs=[broken_job])
def sse_on_failure(context):
    (HOME / "sse_failures.jsonl").open("a").write(json.dumps({{
        "job": context.dagster_run.job_name,
        "run_id": context.dagster_run.run_id,
        "message": context.failure_event.message,
    }}) + "\\n")


build_dags(Definitions(
    assets=[sse_processed, sse_tick, sse_upstream, sse_downstream, sse_broken],
    jobs=[files_job, ticks_job, downstream_job, broken_job],
    schedules=[every_minute, sse_minutely],
    sensors=[sse_inbox, sse_on_upstream, sse_on_failure],
))
"""

DAG_IDS = (
    "sse_files_job",
    "sse_ticks_job",
    "sse_downstream_job",
    "sse_broken_job",
    "sse_upstream",
    "sse_inbox",
    "sse_minutely",
    "sse_on_upstream",
)


@pytest.fixture(scope="module")
def airflow(airflow_standalone: AirflowStandalone) -> tuple[AirflowStandalone, float]:
    source = textwrap.dedent(MODULE).format(home=str(airflow_standalone.home))
    (airflow_standalone.dags_folder / "e2e_schedules_sensors.py").write_text(source)
    for dag_id in DAG_IDS:
        airflow_standalone.wait_for_dag(dag_id)
    return airflow_standalone, time.monotonic()


def runs(airflow: AirflowStandalone, dag_id: str) -> list[dict[str, Any]]:
    response = airflow.client.get(f"/api/v2/dags/{dag_id}/dagRuns", params={"limit": 100})
    response.raise_for_status()
    return list(response.json()["dag_runs"])


def file_runs(airflow: AirflowStandalone) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for run in runs(airflow, "sse_files_job"):
        found.setdefault(run["conf"]["sse_processed__filename"], []).append(run)
    return found


def finished(items: list[dict[str, Any]]) -> bool:
    return bool(items) and all(r["state"] in ("success", "failed") for r in items)


def sensor_state(airflow: AirflowStandalone) -> dict[str, Any]:
    """The sensor's entries in Airflow's asset state store, read through the REST API."""
    assets = airflow.client.get(
        "/api/v2/assets", params={"name_pattern": "asset2airflow-sensors/sse_inbox"}
    ).json()["assets"]
    [state_asset] = assets
    entries = airflow.client.get(f"/api/v2/assets/{state_asset['id']}/state-store").json()
    return {e["key"]: e["value"] for e in entries["asset_state_store"]}


def evaluations(airflow: AirflowStandalone) -> int:
    return len([r for r in runs(airflow, "sse_inbox") if r["state"] == "success"])


def test_file_sensor_triggers_one_run_per_new_file(
    airflow: tuple[AirflowStandalone, float],
) -> None:
    standalone, _ = airflow
    inbox = standalone.home / "sse_inbox"
    inbox.mkdir(exist_ok=True)
    (inbox / "a.csv").write_text("1")
    (inbox / "b.csv").write_text("2")
    wait_until("runs for a.csv and b.csv", lambda: {"a.csv", "b.csv"} <= set(file_runs(standalone)))
    (inbox / "c.csv").write_text("3")
    wait_until("a run for c.csv", lambda: "c.csv" in file_runs(standalone))
    seen = evaluations(standalone)
    wait_until("three more sensor evaluations", lambda: evaluations(standalone) >= seen + 3)

    by_file = file_runs(standalone)
    assert {name: len(found) for name, found in by_file.items()} == {
        "a.csv": 1,
        "b.csv": 1,
        "c.csv": 1,
    }
    done = wait_until(
        "the file runs to finish",
        lambda: (
            [
                r
                for found in file_runs(standalone).values()
                for r in found
                if r["state"] == "success"
            ]
            if all(finished(f) for f in file_runs(standalone).values())
            else None
        ),
    )
    assert len(done) == 3
    run = by_file["c.csv"][0]
    assert run["dag_run_id"].startswith("sensor__sse_inbox__c.csv__")
    assert "run_key 'c.csv'" in (run.get("note") or "")
    state = sensor_state(standalone)
    assert int(state["cursor"]) >= seen + 3
    assert state["run_key:a.csv"]["dag_id"] == "sse_files_job"


def test_asset_sensor_triggers_on_upstream_materialization(
    airflow: tuple[AirflowStandalone, float],
) -> None:
    standalone, _ = airflow
    upstream_run = standalone.trigger("sse_upstream")
    assert standalone.wait_for_run("sse_upstream", upstream_run)["state"] == "success"
    sensor_runs = wait_until(
        "the asset sensor's run",
        lambda: [r for r in runs(standalone, "sse_on_upstream") if r["state"] == "success"],
    )
    assert sensor_runs[0]["run_type"] == "asset_triggered"

    def triggered() -> list[dict[str, Any]]:
        return [
            r
            for r in runs(standalone, "sse_downstream_job")
            if r["conf"].get("sse_downstream__source_run") == upstream_run
        ]

    [run] = wait_until("the downstream job run", triggered)
    assert run["dag_run_id"].startswith("asset_sensor__sse_on_upstream__")
    assert standalone.wait_for_run("sse_downstream_job", run["dag_run_id"])["state"] == "success"


def test_run_failure_sensor_sees_the_failing_run(
    airflow: tuple[AirflowStandalone, float],
) -> None:
    standalone, _ = airflow
    run_id = standalone.trigger("sse_broken_job")
    assert standalone.wait_for_run("sse_broken_job", run_id)["state"] == "failed"
    log = standalone.home / "sse_failures.jsonl"

    def reported() -> list[dict[str, Any]]:
        if not log.exists():
            return []
        return [e for e in map(json.loads, log.read_text().splitlines()) if e["run_id"] == run_id]

    [seen] = wait_until("the failure sensor's callback", reported, timeout=90)
    assert seen["job"] == "sse_broken_job"
    assert "failed" in seen["message"] and "sse_broken" in seen["message"]


def test_every_minute_schedule_fires(airflow: tuple[AirflowStandalone, float]) -> None:
    standalone, parsed_at = airflow
    budget = max(10.0, 150 - (time.monotonic() - parsed_at))

    def scheduled(dag_id: str) -> list[dict[str, Any]]:
        return [
            r
            for r in runs(standalone, dag_id)
            if r["run_type"] == "scheduled" and r["state"] == "success"
        ]

    [first, *_] = wait_until("an every-minute run", lambda: scheduled("sse_ticks_job"), budget)
    assert first["logical_date"] is not None
    ticks = wait_until("the function schedule's tick", lambda: scheduled("sse_minutely"), 30)
    tick_id = ticks[0]["dag_run_id"]

    def triggered() -> list[dict[str, Any]]:
        return [
            r
            for r in runs(standalone, "sse_downstream_job")
            if r["dag_run_id"].startswith("schedule__sse_minutely__")
        ]

    [run, *_] = wait_until(f"the job run triggered by {tick_id}", triggered, 30)
    assert run["conf"]["sse_downstream__source_run"].startswith("tick ")


@pytest.fixture(scope="session")
def replacement_scheduler() -> Iterator[dict[str, Any]]:
    """Where a scheduler started by a test is kept, so it is stopped when the session ends
    (after the other e2e modules, which need a scheduler too)."""
    holder: dict[str, Any] = {}
    yield holder
    process = holder.get("process")
    if process is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def restart_scheduler(standalone: AirflowStandalone, holder: dict[str, Any]) -> None:
    """Stop the standalone's scheduler and start a new one with its command and environment."""
    import psutil

    assert standalone._process is not None
    root = psutil.Process(standalone._process.pid)
    [old] = [p for p in root.children() if "scheduler" in p.cmdline()[1:4]]
    command, env = old.cmdline(), old.environ()
    tree = [old, *old.children(recursive=True)]
    for process in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.terminate()
    _, alive = psutil.wait_procs(tree, timeout=20)
    for process in alive:  # a scheduler may wait long for its executor: stop it the hard way
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(alive, timeout=10)
    log = (standalone.home / "replacement-scheduler.log").open("wb")
    holder["process"] = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def set_paused(standalone: AirflowStandalone, dag_id: str, paused: bool) -> None:
    response = standalone.client.patch(f"/api/v2/dags/{dag_id}", json={"is_paused": paused})
    response.raise_for_status()


def test_sensor_state_survives_a_scheduler_restart(
    airflow: tuple[AirflowStandalone, float], replacement_scheduler: dict[str, Any]
) -> None:
    standalone, _ = airflow
    for dag_id in ("sse_inbox", "sse_ticks_job", "sse_minutely"):
        set_paused(standalone, dag_id, True)
    wait_until(
        "the sensor's last run to end",
        # (a queued run of a paused DAG waits for the unpause; a running one must end)
        lambda: all(r["state"] != "running" for r in runs(standalone, "sse_inbox")),
    )
    cursor_before = int(sensor_state(standalone)["cursor"])
    restart_scheduler(standalone, replacement_scheduler)
    (standalone.home / "sse_inbox" / "d.csv").write_text("4")
    set_paused(standalone, "sse_inbox", False)

    wait_until("a run for d.csv after the restart", lambda: "d.csv" in file_runs(standalone), 150)
    seen = evaluations(standalone)
    wait_until("two more sensor evaluations", lambda: evaluations(standalone) >= seen + 2, 60)
    by_file = file_runs(standalone)
    assert {name: len(found) for name, found in by_file.items()} == {
        "a.csv": 1,
        "b.csv": 1,
        "c.csv": 1,
        "d.csv": 1,
    }
    assert int(sensor_state(standalone)["cursor"]) > cursor_before  # continued, not restarted
