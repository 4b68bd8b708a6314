"""A Celery worker SIGKILLed (with the task it runs) in the middle of writing an asset: the
previous materialization stays readable, the half-written temp file is never read, and Airflow
retries the task on the other worker, which writes the new value whole."""

from __future__ import annotations

import pickle
import time
from pathlib import Path

import pytest

from tests.deploy.conftest import run_to_end
from tests.harness.deploy import AirflowDeployment

pytestmark = pytest.mark.deploy

BLOB_BYTES = 4 << 20


def test_task_killed_mid_write_is_retried_on_the_other_worker(
    deployment: AirflowDeployment,
) -> None:
    airflow = deployment
    storage = airflow.home / "asset2airflow" / "storage"
    final = storage / "crash_payload.pickle"
    marker = airflow.home / "asset2airflow" / "crash" / "writing.pid"

    first = run_to_end(airflow, "crash", {"crash_payload__version": 1})
    assert first["state"] == "success"
    assert pickle.loads(final.read_bytes())["version"] == 1

    run_id = airflow.trigger("crash", {"crash_payload__version": 2})
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert marker.exists(), airflow.task_states("crash", run_id)
    time.sleep(0.5)  # the pid is written before the hang
    victim = airflow.worker_running(int(marker.read_text()))
    [partial] = storage.glob(".crash_payload.pickle.tmp-*")
    assert partial.stat().st_size >= BLOB_BYTES  # the blob is on disk: killed mid-write

    airflow.kill_worker(victim)

    value = pickle.loads(final.read_bytes())  # the previous version, whole
    assert value == {"version": 1, "blob": bytes([1]) * BLOB_BYTES, "tail": "tail"}

    deadline = time.monotonic() + 180
    run: dict[str, object] = {}
    while time.monotonic() < deadline:
        run = airflow.client.get(f"/api/v2/dags/crash/dagRuns/{run_id}").json()
        if run["state"] in ("success", "failed"):
            break
        time.sleep(1)
    assert run["state"] == "success", airflow.task_states("crash", run_id)

    value = pickle.loads(final.read_bytes())
    assert value == {"version": 2, "blob": bytes([2]) * BLOB_BYTES, "tail": "tail"}
    tries = airflow.client.get(
        f"/api/v2/dags/crash/dagRuns/{run_id}/taskInstances/crash_payload/tries"
    ).json()["task_instances"]
    hosts = {t["try_number"]: (t["hostname"], t["state"]) for t in tries}
    [survivor] = [n for n in airflow.worker_names if n != victim]
    assert hosts[1][0] == victim and hosts[1][1] != "success"
    assert hosts[max(hosts)] == (survivor, "success")
    # The killed writer's temp file is left behind (a hidden sibling); readers never look at it.
    assert partial.exists() and Path(final).is_file()
