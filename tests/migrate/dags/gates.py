"""Explicit falsy operator arguments whose class default is truthy: a short-circuit gate that
leaves tasks further down to their trigger rule, a virtualenv without system site packages."""

from __future__ import annotations

import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import (
    PythonVirtualenvOperator,
    ShortCircuitOperator,
)
from airflow.sdk import DAG, TriggerRule


def closed() -> bool:
    return False


def in_venv() -> str:
    return "venv"


with DAG(
    dag_id="gates",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    gate = ShortCircuitOperator(
        task_id="gate", python_callable=closed, ignore_downstream_trigger_rules=False
    )
    skipped = EmptyOperator(task_id="skipped")
    cleanup = EmptyOperator(task_id="cleanup", trigger_rule=TriggerRule.ALL_DONE)
    gate >> skipped >> cleanup

with DAG(
    dag_id="isolated",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as isolated:
    PythonVirtualenvOperator(task_id="in_venv", python_callable=in_venv, system_site_packages=False)
