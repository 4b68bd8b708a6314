"""Dynamic task mapping: over a literal, over an upstream list, expand_kwargs, a classic
operator mapped with partial()."""

from __future__ import annotations

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, task

with DAG(
    dag_id="mapping",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:

    @task
    def mapping_numbers() -> list[int]:
        return [1, 2, 3]

    @task
    def scale(x: int, factor: int) -> int:
        return x * factor

    @task
    def mapping_total(values: list[int]) -> int:
        return sum(values)

    scaled = scale.partial(factor=10).expand(x=mapping_numbers())
    mapping_total(scaled)
    pairs = scale.expand_kwargs([{"x": 1, "factor": 2}, {"x": 3, "factor": 4}])
    mapping_total.override(task_id="pair_total")(pairs)
    BashOperator.partial(task_id="echo", do_xcom_push=True).expand(
        bash_command=["echo a", "echo b"]
    )
