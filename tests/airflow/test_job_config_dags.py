"""Job config in Airflow: a job's dict config gives the defaults of the DAG's config params; with
a PartitionedConfig the params are nullable and empty, the task computes the run's partition
config, and a param set in the trigger conf overrides it (dag.test() runs; the partition key is
given as the ``partition_key`` conf, as dag.test cannot set the run's own key)."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asset2airflow import (
    Config,
    DailyPartitionsDefinition,
    Definitions,
    asset,
    daily_partitioned_config,
    define_asset_job,
)
from asset2airflow.airflow.plan import build_dag_plans


class Limits(Config):
    table: str = "none"
    limit: int = 10


@asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
def jc_daily(config: Limits) -> str:
    return f"{config.table}:{config.limit}"


@asset
def jc_plain(config: Limits) -> str:
    return f"{config.table}:{config.limit}"


@daily_partitioned_config(start_date="2024-01-01")
def jc_days(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    return {"ops": {"jc_daily": {"config": {"table": f"t_{start:%Y%m%d}"}}}}


def test_plans_take_param_defaults_from_a_dict_config_and_know_their_job() -> None:
    job = define_asset_job(
        "jc_plain_job", [jc_plain], config={"ops": {"jc_plain": {"config": {"limit": 3}}}}
    )
    [plan] = build_dag_plans(Definitions(assets=[jc_plain], jobs=[job]))
    assert plan.job_name == "jc_plain_job"
    params = {p.name: p for p in plan.params}
    assert (params["jc_plain__limit"].default, params["jc_plain__limit"].schema) == (
        3,
        {"type": "integer"},
    )
    assert params["jc_plain__table"].default == "none"  # the Config default


def test_plans_of_a_partitioned_config_job_have_nullable_empty_params() -> None:
    job = define_asset_job("jc_daily_job", [jc_daily], config=jc_days)
    [plan] = build_dag_plans(Definitions(assets=[jc_daily], jobs=[job]))
    params = {p.name: p for p in plan.params}
    for name, kind in (("jc_daily__table", "string"), ("jc_daily__limit", "integer")):
        assert params[name].schema["type"] == [kind, "null"]
        assert (params[name].default, params[name].from_partition) == (None, True)
    ungrouped = build_dag_plans(Definitions(assets=[jc_daily]))
    assert [p.job_name for p in ungrouped] == [None]
    assert [p.default for p in ungrouped[0].params if p.node_name] == ["none", 10]


ASSET_JOB = """
import datetime as dt
from asset2airflow import (Config, DailyPartitionsDefinition, Definitions, asset,
                           daily_partitioned_config, define_asset_job)
from asset2airflow.airflow import build_dags

class Limits(Config):
    table: str = "none"
    limit: int = 10

@asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
def jc_dag_sales(context, config: Limits) -> str:
    day = context.run.tags.get("weekday")
    return f"{context.partition_key}|{config.table}|{config.limit}|{day}"

@daily_partitioned_config(
    start_date="2024-01-01", tags_for_partition_fn=lambda start, end: {"weekday": f"{start:%a}"}
)
def days(start: dt.datetime, end: dt.datetime):
    return {"ops": {"jc_dag_sales": {"config": {"table": f"t_{start:%Y%m%d}", "limit": 5}}}}

job = define_asset_job("jc_dag_job", "*", config=days)
build_dags(Definitions(assets=[jc_dag_sales], jobs=[job]))
"""


def _stored(root: Path, name: str) -> str:
    [path] = [p for p in root.rglob("*.pickle") if name in p.name]
    return str(pickle.loads(path.read_bytes()))


@pytest.mark.integration
def test_an_asset_task_reads_its_partitions_config_and_explicit_params_win(
    load_dag_file: Callable[..., Any], asset2airflow_home: Path
) -> None:
    dag = load_dag_file("jc_asset_job.py", ASSET_JOB)["jc_dag_job"]
    assert dag.params["jc_dag_sales__limit"] is None
    storage = asset2airflow_home / "storage"
    conf = {"partition_key": "2024-01-02", "jc_dag_sales__table": None, "jc_dag_sales__limit": None}
    run = dag.test(run_conf=conf)
    assert run.state == "success"
    assert _stored(storage, "2024-01-02") == "2024-01-02|t_20240102|5|Tue"  # its tags too
    run = dag.test(run_conf={**conf, "partition_key": "2024-01-03", "jc_dag_sales__limit": 99})
    assert run.state == "success"
    assert _stored(storage, "2024-01-03") == "2024-01-03|t_20240103|99|Wed"


OP_JOB = """
from asset2airflow import (Config, Definitions, OpExecutionContext, job, op,
                           static_partitioned_config)
from asset2airflow.airflow import build_dags

class Region(Config):
    bucket: str = "none"
    copies: int = 1

@static_partitioned_config(["eu", "us"], tags_for_partition_key_fn=lambda k: {"region": k})
def by_region(partition_key: str):
    return {"ops": {"jc_copy": {"config": {"bucket": "bucket-" + partition_key, "copies": 2}}}}

@op
def jc_copy(context: OpExecutionContext, config: Region) -> str:
    return f"{config.bucket}|{config.copies}|{context.run.tags.get('region')}"

@job(config=by_region)
def jc_regions():
    jc_copy()

build_dags(Definitions(jobs=[jc_regions]))
"""


@pytest.mark.integration
def test_an_op_task_reads_its_partitions_config_and_tags_and_explicit_params_win(
    load_dag_file: Callable[..., Any], asset2airflow_home: Path
) -> None:
    from tests.airflow.conftest import task_states

    dag = load_dag_file("jc_regions.py", OP_JOB)["jc_regions"]
    assert dag.params.get_param("jc_copy__copies").schema["type"] == ["integer", "null"]
    runs = asset2airflow_home / "storage" / ".runs"
    conf = {"partition_key": "us", "jc_copy__bucket": None, "jc_copy__copies": None}
    run = dag.test(run_conf=conf)
    assert run.state == "success", task_states(run)
    [stored] = list(runs.rglob("result.pickle"))
    assert pickle.loads(stored.read_bytes()) == "bucket-us|2|us"
    stored.unlink()
    run = dag.test(run_conf={**conf, "partition_key": "eu", "jc_copy__copies": 7})
    assert run.state == "success", task_states(run)
    [stored] = list(runs.rglob("result.pickle"))
    assert pickle.loads(stored.read_bytes()) == "bucket-eu|7|eu"
