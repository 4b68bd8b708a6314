"""Task code whose annotations use names imported for typing only (one under TYPE_CHECKING):
the generated module imports them too, so it is clean for linters and type checkers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict  # noqa: UP035 (as older DAG files write it)

import pendulum
from airflow.sdk import DAG, task

if TYPE_CHECKING:
    from airflow.sdk import Context

with DAG(
    dag_id="typed",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:

    @task
    def counts(context: Context = None) -> Dict[str, int]:  # type: ignore[assignment]  # noqa: UP006
        return {"a": 1}

    counts()
