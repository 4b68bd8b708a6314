"""SQLTableIOManager on the deployment's Postgres: a daily-partitioned asset written by Celery
workers, one partition replaced in one transaction (a reader polling the table meanwhile sees
the old rows or the new ones, never a mix or none), the other partition untouched."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.deploy.conftest import asset_uri, events_of, lineage_outputs, run_to_end
from tests.harness.deploy import AirflowDeployment

pytestmark = pytest.mark.deploy

PARTITION = "SELECT count(*), min(amount), max(amount) FROM analytics.orders WHERE day = %s"


def rows(airflow: AirflowDeployment, day: str) -> tuple[Any, ...]:
    [row] = airflow.postgres.execute(PARTITION.replace("%s", f"'{day}'"), "warehouse")
    return tuple(row)


def test_partitions_in_postgres_are_replaced_atomically(deployment: AirflowDeployment) -> None:
    airflow = deployment
    first = run_to_end(
        airflow, "warehouse", {"analytics__orders__rows": 50_000}, partition_key="2024-01-01"
    )
    assert first["state"] == "success", airflow.task_states("warehouse", first["dag_run_id"])
    second = run_to_end(
        airflow,
        "warehouse",
        {"analytics__orders__rows": 5, "analytics__orders__amount": 9.0},
        partition_key="2024-01-02",
    )
    assert second["state"] == "success"
    assert rows(airflow, "2024-01-01") == (50_000, 1.0, 1.0)
    assert rows(airflow, "2024-01-02") == (5, 9.0, 9.0)

    seen: set[tuple[Any, ...]] = set()
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.02):
            seen.add(rows(airflow, "2024-01-01"))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        again = run_to_end(
            airflow,
            "warehouse",
            {"analytics__orders__rows": 80_000, "analytics__orders__amount": 2.0},
            partition_key="2024-01-01",
        )
    finally:
        done.set()
        watcher.join()
    assert again["state"] == "success"
    assert rows(airflow, "2024-01-01") == (80_000, 2.0, 2.0)
    assert rows(airflow, "2024-01-02") == (5, 9.0, 9.0)
    assert seen <= {(50_000, 1.0, 1.0), (80_000, 2.0, 2.0)}, seen

    event = events_of(airflow, "warehouse", again["dag_run_id"])["analytics__orders"]
    assert event["partition_key"] == "2024-01-01"
    assert event["extra"]["metadata"]["row_count"] == {"type": "int", "value": 80_000}
    [check] = event["extra"]["checks"]
    assert check["name"] == "has_rows" and check["passed"]
    port = airflow.postgres.port
    # OpenLineage, from the Celery worker: a Postgres dataset named by the spec.
    [dataset] = lineage_outputs(airflow, "warehouse.analytics__orders", again["dag_run_id"])
    assert (dataset["namespace"], dataset["name"]) == (
        f"postgres://127.0.0.1:{port}",
        "warehouse.analytics.orders",
    )
    assert dataset["outputFacets"]["outputStatistics"]["rowCount"] == 80_000
    [assertion] = dataset["facets"]["dataQualityAssertions"]["assertions"]
    assert assertion["assertion"] == "has_rows" and assertion["success"]
    assert dataset["facets"]["asset2airflow"]["partition"] == "2024-01-01"
    assert asset_uri(airflow, "analytics/orders") == (
        f"postgresql+psycopg2://127.0.0.1:{port}/warehouse/analytics.orders"
    )
