"""The sales pipeline and a 50-asset DAG on Postgres + two Celery workers: same results, asset
events and check records as on SQLite, and one storage location for the dag processor and every
worker, whatever their working directory."""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import pytest

from tests.deploy.conftest import asset_uri, events_of, run_to_end
from tests.harness.deploy import AirflowDeployment

pytestmark = pytest.mark.deploy


def test_sales_pipeline_runs_on_celery_workers(deployment: AirflowDeployment) -> None:
    airflow = deployment
    run = run_to_end(airflow, "sales")
    assert run["state"] == "success"
    assert set(airflow.task_states("sales", run["dag_run_id"]).values()) == {"success"}

    storage = airflow.home / "asset2airflow" / "storage"
    summary = pd.read_parquet(storage / "daily_sales_summary.parquet")
    assert summary["amount"].tolist() == [200.5, 145.24, 258.3]

    events = events_of(airflow, "sales", run["dag_run_id"])
    assert sorted(events) == ["cleaned_sales", "daily_sales_summary", "raw_sales"]
    assert events["raw_sales"]["extra"]["metadata"]["row_count"] == {"type": "int", "value": 9}
    [check] = events["cleaned_sales"]["extra"]["checks"]
    assert check["name"] == "amounts_are_positive" and check["passed"] and check["blocking"]

    # One resolution of ASSET2AIRFLOW_HOME everywhere: the URI the dag processor declared is
    # the file a worker wrote (each component runs in a working directory of its own).
    for name in ("raw_sales", "cleaned_sales", "daily_sales_summary"):
        written = events[name]["extra"]["metadata"]["path"]["value"]
        assert asset_uri(airflow, name) == Path(written).as_uri()
        assert Path(written).is_file() and Path(written).parent == storage


def test_fifty_assets_run_across_both_workers(deployment: AirflowDeployment) -> None:
    airflow = deployment
    run = run_to_end(airflow, "fifty", timeout=400)
    states = airflow.task_states("fifty", run["dag_run_id"])
    assert run["state"] == "success", states
    assert len(states) == 50 and set(states.values()) == {"success"}

    storage = airflow.home / "asset2airflow" / "fifty-store"  # relative to ASSET2AIRFLOW_HOME
    values = {i: i for i in range(10)}
    for i in range(10, 50):
        above = i - 10 - i % 10
        values[i] = values[above + i % 10] + values[above + (i + 1) % 10]
    for i, expected in values.items():
        assert pickle.loads((storage / f"f{i}.pickle").read_bytes()) == expected

    events = events_of(airflow, "fifty", run["dag_run_id"])
    assert len(events) == 50
    for i in (0, 49):
        assert asset_uri(airflow, f"f{i}") == (storage / f"f{i}.pickle").as_uri()
        assert events[f"f{i}"]["extra"]["metadata"]["path"]["value"] == str(
            storage / f"f{i}.pickle"
        )
    for i in range(10):
        [check] = events[f"f{i}"]["extra"]["checks"]
        assert check["passed"] and check["metadata"]["value"] == {"type": "int", "value": i}

    tries = airflow.client.get(
        f"/api/v2/dags/fifty/dagRuns/{run['dag_run_id']}/taskInstances", params={"limit": 100}
    ).json()["task_instances"]
    assert {t["hostname"] for t in tries} == set(airflow.worker_names)  # both workers worked
