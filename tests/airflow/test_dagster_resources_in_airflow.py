"""Dagster's function resources and an asset's config_schema, run by Airflow (dag.test()): a
generator resource (its config fixed with .configured, or given in the job's config) is built in
the task and torn down after the asset, and config_schema fields are DAG params."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.airflow.conftest import task_states

pytestmark = pytest.mark.integration

DAG_FILE = """
from pathlib import Path

from asset2airflow import AssetExecutionContext, Definitions, asset, resource
from asset2airflow.airflow import build_dags

LOG = Path({log!r})

@resource(config_schema={{"prefix": str}})
def greeter(init_context):
    LOG.write_text("open;")
    yield init_context.resource_config["prefix"]
    LOG.write_text(LOG.read_text() + "close;")

@asset(group_name="resourced", config_schema={{"n": int}}, compute_kind="python",
       required_resource_keys={{"greeter"}})
def greeting(context: AssetExecutionContext) -> str:
    return f"{{context.resources.greeter}} {{context.op_config['n']}}"

build_dags(Definitions(
    assets=[greeting], resources={{"greeter": greeter.configured({{"prefix": "hello"}})}}
))
"""


def test_resource_function_and_config_schema_under_dag_test(
    load_dag_file: Callable[..., Any], tmp_path: Path, asset2airflow_home: Path
) -> None:
    log = tmp_path / "resource.log"
    dag = load_dag_file("resourced.py", DAG_FILE.format(log=str(log)))["resourced"]
    assert "kind:python" in dag.tags
    assert "greeting__n" in dag.params
    run = dag.test(run_conf={"greeting__n": 3})
    assert run.state == "success"
    assert task_states(run) == {"greeting": "success"}
    assert log.read_text() == "open;close;"
    stored = asset2airflow_home / "storage" / "greeting.pickle"
    assert pickle.loads(stored.read_bytes()) == "hello 3"


JOB_FILE = """
from asset2airflow import Definitions, asset, define_asset_job, job, op, resource
from asset2airflow.airflow import build_dags

@resource(config_schema={{"prefix": str}})
def greeter(init_context):
    return init_context.resource_config["prefix"]

@asset(required_resource_keys={{"greeter"}})
def job_greeting(context) -> str:
    return context.resources.greeter + " asset"

@op(required_resource_keys={{"greeter"}})
def greet(context) -> None:
    with open({out!r}, "w") as handle:
        handle.write(context.resources.greeter + " op")

@job(config={{"resources": {{"greeter": {{"config": {{"prefix": "from the op job"}}}}}}}})
def greet_job():
    greet()

build_dags(Definitions(
    assets=[job_greeting],
    jobs=[
        define_asset_job(
            "greeting_job",
            selection=[job_greeting],
            config={{"resources": {{"greeter": {{"config": {{"prefix": "from the job"}}}}}}}},
        ),
        greet_job,
    ],
    resources={{"greeter": greeter}},
))
"""


def test_a_jobs_resource_config_reaches_its_airflow_tasks(
    load_dag_file: Callable[..., Any], tmp_path: Path, asset2airflow_home: Path
) -> None:
    """The ``resources`` section of a job's ``config`` has no DAG param; the task still applies
    it (it was silently dropped in Airflow while local runs honoured it)."""
    out = tmp_path / "op.txt"
    dags = load_dag_file("job_resources.py", JOB_FILE.format(out=str(out)))
    assert dags["greeting_job"].test().state == "success"
    stored = asset2airflow_home / "storage" / "job_greeting.pickle"
    assert pickle.loads(stored.read_bytes()) == "from the job asset"
    assert dags["greet_job"].test().state == "success"
    assert out.read_text() == "from the op job op"
