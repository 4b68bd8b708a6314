"""The deploy tier: one production-shaped Airflow for the session (Postgres, Redis, scheduler,
dag-processor, api-server, two Celery workers; ``tests.harness.deploy``) running the
repo's sales pipeline and the DAG files in ``tests/deploy/dags``. Always torn down."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness.deploy import AirflowDeployment

REPO = Path(__file__).resolve().parents[2]
DEPLOY_DAGS = Path(__file__).resolve().parent / "dags"


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowDeployment]:
    root = tmp_path_factory.mktemp("deploy")
    dags = root / "dags"
    shutil.copytree(REPO / "dags" / "data", dags / "data")
    shutil.copy(REPO / "dags" / "sales_pipeline.py", dags)
    for dag_file in DEPLOY_DAGS.glob("*.py"):
        shutil.copy(dag_file, dags)
    airflow = AirflowDeployment(root, dags, workers=2, databases=("warehouse",))
    airflow.extra_env["A2A_WAREHOUSE_URL"] = airflow.postgres.url("warehouse")
    # OpenLineage events of every component, one JSON line each (the provider's file transport).
    airflow.extra_env["AIRFLOW__OPENLINEAGE__TRANSPORT"] = json.dumps(
        {"type": "file", "log_file_path": str(root / "openlineage.jsonl"), "append": True}
    )
    try:
        airflow.start()
        yield airflow
    finally:
        airflow.stop()


def run_to_end(
    airflow: AirflowDeployment,
    dag_id: str,
    conf: dict[str, Any] | None = None,
    partition_key: str | None = None,
    timeout: float = 240,
) -> dict[str, Any]:
    """Trigger ``dag_id`` and wait for the run to finish; fails naming any component that died."""
    airflow.wait_for_dag(dag_id)
    run_id = airflow.trigger(dag_id, conf, partition_key=partition_key)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = dict(airflow.client.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}").json())
        if run["state"] in ("success", "failed"):
            return run
        assert not airflow.failures(), airflow.failures()
        time.sleep(1)
    raise TimeoutError(f"run {run_id} of {dag_id!r}: {airflow.task_states(dag_id, run_id)}")


def events_of(airflow: AirflowDeployment, dag_id: str, run_id: str) -> dict[str, dict[str, Any]]:
    """The asset events of one run, by task id."""
    response = airflow.client.get(
        "/api/v2/assets/events",
        params={"source_dag_id": dag_id, "source_run_id": run_id, "limit": 100},
    )
    response.raise_for_status()
    return {e["source_task_id"]: e for e in response.json()["asset_events"]}


def asset_uri(airflow: AirflowDeployment, name: str) -> str:
    """The URI Airflow registered for asset ``name`` (declared by the dag processor)."""
    found = airflow.client.get("/api/v2/assets", params={"name_pattern": name}).json()
    [match] = [a for a in found["assets"] if a["name"] == name]
    return str(match["uri"])


def lineage_outputs(airflow: AirflowDeployment, job: str, run_id: str) -> list[dict[str, Any]]:
    """The output datasets of the COMPLETE OpenLineage event of task ``job`` (``dag.task``) in
    Airflow run ``run_id``."""
    path = airflow.root / "openlineage.jsonl"
    events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    [complete] = [
        e
        for e in events
        if e["eventType"] == "COMPLETE"
        and e["job"]["name"] == job
        and e["run"]["facets"]["airflow"]["dagRun"]["run_id"] == run_id
    ]
    return list(complete["outputs"])
