"""Every DAG setting: an ended catch-up schedule, run limits, a run timeout, default_args,
params, tags, docs, owner links, callbacks, native templates and a template search path."""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG


def announce(context: object) -> None:
    print("settings run finished")


with DAG(
    dag_id="settings",
    description="Every DAG setting",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    end_date=pendulum.datetime(2024, 1, 3, tz="UTC"),
    catchup=True,
    max_active_runs=2,
    max_active_tasks=3,
    max_consecutive_failed_dag_runs=4,
    dagrun_timeout=timedelta(hours=1),
    default_args={"retries": 1, "retry_delay": timedelta(seconds=5)},
    params={"n": 1},
    tags=["settings"],
    doc_md="Settings survive the migration.",
    owner_links={"airflow": "https://example.com/owners"},
    on_success_callback=announce,
    on_failure_callback=[announce],
    render_template_as_native_obj=True,
    template_searchpath=["/tmp"],
    fail_fast=False,
    is_paused_upon_creation=False,
) as dag:
    BashOperator(task_id="echo", bash_command="echo {{ params.n }}")
