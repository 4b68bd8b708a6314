"""A task whose callable is an object (not a function): it runs from the kept original."""

from __future__ import annotations

import pendulum
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, task


class Greeter:
    def __init__(self, greeting: str) -> None:
        self.greeting = greeting

    def __call__(self, name: str) -> str:
        return f"{self.greeting}, {name}"


with DAG(
    "fallback_dag", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False
) as dag:

    @task
    def who() -> str:
        return "world"

    greet = PythonOperator(task_id="greet", python_callable=Greeter("hello"), op_args=[who()])

    @task
    def shout(text: str) -> str:
        return text.upper()

    shout(greet.output)
