"""Module-level values computed from the environment and the clock: each assigned once stays
code in the generated module; one assigned twice is frozen, and the report says so."""

from __future__ import annotations

import os
from datetime import datetime, timezone

import pendulum
from airflow.sdk import DAG, task

DEPLOY_ENV = os.getenv("A2A_TEST_DEPLOY_ENV", "dev")
LOADED_AT = datetime.now(timezone.utc).isoformat()
REGION = os.getenv("A2A_TEST_REGION")
if REGION is None:
    REGION = "eu"

with DAG(
    dag_id="environment",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:

    @task
    def deploy_env() -> str:
        return DEPLOY_ENV

    @task
    def loaded_at() -> str:
        return "loaded" if LOADED_AT else "not loaded"  # each parse has its own time

    @task
    def region() -> str:
        return REGION

    deploy_env() >> loaded_at() >> region()
