"""@task decorators other than plain @task: a Bash command built by a function (with an
environment), a short-circuit gate with an explicit falsy setting, a branch."""

from __future__ import annotations

import pendulum
from airflow.sdk import TriggerRule, dag, task


@dag(schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False)
def decorated() -> None:
    @task
    def who() -> str:
        return "world"

    @task.bash(env={"GREETING": "hello"}, append_env=True)
    def greet(name: str) -> str:
        return f'echo "$GREETING, {name}"'

    @task.short_circuit(ignore_downstream_trigger_rules=False)
    def gate() -> bool:
        return False

    @task
    def skipped() -> str:
        return "never"

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def cleanup() -> str:
        return "cleaned"

    @task.branch
    def choose(greeting: str) -> str:
        return "left" if greeting.startswith("hello") else "right"

    @task
    def left() -> str:
        return "left"

    @task
    def right() -> str:
        return "right"

    greeting = greet(who())
    choose(greeting) >> [left(), right()]
    gate() >> skipped() >> cleanup()


decorated()
