"""More @task decorators: a sensor returning an XCom, setup and teardown tasks around a
worker, a function run by another Python interpreter."""

from __future__ import annotations

import sys

import pendulum
from airflow.sdk import PokeReturnValue, dag, setup, task, teardown


@dag(schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False)
def decorated_kinds() -> None:
    @task.sensor(poke_interval=1, timeout=30, mode="poke")
    def ready() -> PokeReturnValue:
        return PokeReturnValue(is_done=True, xcom_value="ready")

    @setup
    def create() -> str:
        return "created"

    @task
    def work(state: str) -> str:
        return f"worked on {state}"

    @teardown
    def delete() -> str:
        return "deleted"

    @task.external_python(python=sys.executable)
    def elsewhere(word: str) -> str:
        return word.upper()

    created = create()
    done = work(ready())
    created >> done >> delete().as_teardown(setups=created)
    elsewhere("far")


decorated_kinds()
