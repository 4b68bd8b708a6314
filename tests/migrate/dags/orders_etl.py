"""A TaskFlow ETL: multiple outputs, a context argument, a helper, a constant, DAG params."""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, Param, task

RATE = 1.5


def _rounded(value: float) -> float:
    return round(value, 2)


default_args = {"owner": "orders-team", "retries": 2, "retry_delay": timedelta(minutes=1)}

with DAG(
    dag_id="orders_etl",
    schedule="0 6 * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="Europe/Amsterdam"),
    catchup=False,
    default_args=default_args,
    tags=["orders", "etl"],
    params={"region": Param("eu", type="string", enum=["eu", "us"])},
    max_active_runs=1,
) as dag:

    @task
    def extract(params=None) -> list[dict]:
        """Orders of the region chosen in the trigger form."""
        region = params["region"] if params else "eu"
        return [
            {"id": 1, "amount": 10.0, "region": region},
            {"id": 2, "amount": 5.5, "region": region},
        ]

    @task(multiple_outputs=True, retries=4)
    def transform(orders: list[dict]) -> dict:
        total = sum(o["amount"] for o in orders) * RATE
        return {"total": _rounded(total), "count": len(orders)}

    @task(trigger_rule="all_done")
    def load(total: float, count: int, ti=None) -> str:
        task_id = ti.task_id if ti else "?"
        return f"{count} orders, {total} total ({task_id})"

    summary = transform(extract())
    load(summary["total"], summary["count"])
