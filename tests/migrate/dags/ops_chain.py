"""Classic operators: a latest-only gate, a Bash chain with templates and an outlet, a branch,
a join with a trigger rule, a task group whose task has two outlets."""

from __future__ import annotations

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.latest_only import LatestOnlyOperator
from airflow.sdk import DAG, Asset, TaskGroup, task

with DAG(
    dag_id="ops_chain",
    schedule="@hourly",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    params={"word": "hi"},
    tags=["ops"],
) as dag:
    start = EmptyOperator(task_id="start")
    latest = LatestOnlyOperator(task_id="latest_only")  # reads its downstream tasks
    say = BashOperator(
        task_id="say",
        bash_command="echo {{ params.word }}-{{ task.task_id }}",
        outlets=[Asset("s3://bucket/said.txt")],
        retries=1,
    )

    @task.branch
    def choose(said: str) -> str:
        return "left" if said.startswith("hi") else "right"

    left = BashOperator(task_id="left", bash_command="echo left")
    right = EmptyOperator(task_id="right")
    join = EmptyOperator(task_id="join", trigger_rule="none_failed_min_one_success")
    with TaskGroup("report"):
        count = BashOperator(
            task_id="count",
            bash_command="echo 3",
            outlets=[Asset("report/count"), Asset("report/size", extra={"unit": "rows"})],
        )
    start >> latest >> say
    choose(say.output) >> [left, right] >> join >> count
