"""An op job with a mapped op (``DynamicOut`` ``.map``/``.collect``) and a PartitionedConfig on a
real ``airflow standalone``: a run triggered through the REST API with a partition key maps the
op once per item the partition's config asks for, the collected value is stored, and a config
field set in the trigger conf overrides the partition's value."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path
from typing import Any

import pytest

from asset2airflow.io.locations import encode_component
from asset2airflow.testing.standalone import AirflowStandalone

pytestmark = pytest.mark.e2e

DAG_ID = "e2e_op_fanout"

MODULE = """
from asset2airflow import (Config, Definitions, DynamicOut, DynamicOutput, job, op,
                           static_partitioned_config)
from asset2airflow.airflow import build_dags


class Items(Config):
    count: int = 1


class Scale(Config):
    factor: int = 1


@static_partitioned_config(["small", "big"], tags_for_partition_key_fn=lambda k: {"size": k})
def by_size(partition_key: str):
    count = 2 if partition_key == "small" else 4
    return {"ops": {"e2e_items": {"config": {"count": count}},
                    "e2e_scale": {"config": {"factor": 10}}}}


@op(out=DynamicOut(int))
def e2e_items(config: Items):
    for i in range(config.count):
        yield DynamicOutput(i + 1, mapping_key=f"item_{i + 1}")


@op
def e2e_scale(context, value: int, config: Scale) -> int:
    assert context.run.tags.get("size") in ("small", "big")
    return value * config.factor


@op
def e2e_total(values: list) -> int:
    return sum(values)


@job(config=by_size)
def e2e_op_fanout():
    e2e_total(e2e_items().map(e2e_scale).collect())


build_dags(Definitions(jobs=[e2e_op_fanout]))
"""


@pytest.fixture(scope="module")
def airflow(airflow_standalone: AirflowStandalone) -> AirflowStandalone:
    path = airflow_standalone.dags_folder / "e2e_op_jobs.py"
    path.write_text(textwrap.dedent(MODULE))
    airflow_standalone.wait_for_dag(DAG_ID)
    return airflow_standalone


def mapped_instances(airflow: AirflowStandalone, run_id: str, task_id: str) -> list[dict[str, Any]]:
    response = airflow.client.get(
        f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances", params={"limit": 100}
    )
    response.raise_for_status()
    return sorted(
        (t for t in response.json()["task_instances"] if t["task_id"] == task_id),
        key=lambda t: t["map_index"],
    )


def stored_total(airflow: AirflowStandalone, run_id: str) -> Any:
    runs = Path(airflow.home) / "asset2airflow" / "storage" / ".runs"
    path = runs / encode_component(run_id) / "e2e_total" / "result.pickle"
    return pickle.loads(path.read_bytes())


def test_a_mapped_op_runs_once_per_item_of_the_partitions_config(
    airflow: AirflowStandalone,
) -> None:
    run_id = airflow.trigger(DAG_ID, partition_key="big")
    run = airflow.wait_for_run(DAG_ID, run_id)
    assert run["state"] == "success", airflow.task_states(DAG_ID, run_id)
    mapped = mapped_instances(airflow, run_id, "e2e_scale")
    assert [(t["map_index"], t["state"]) for t in mapped] == [(i, "success") for i in range(4)]
    assert [t["rendered_map_index"] for t in mapped] == [f"item_{i}" for i in range(1, 5)]
    assert stored_total(airflow, run_id) == (1 + 2 + 3 + 4) * 10
    keys = airflow.client.get(
        f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/e2e_items/xcomEntries/return_value"
    )
    keys.raise_for_status()
    assert keys.json()["value"] == ["item_1", "item_2", "item_3", "item_4"]


def test_a_config_field_in_the_trigger_conf_overrides_the_partitions_value(
    airflow: AirflowStandalone,
) -> None:
    run_id = airflow.trigger(DAG_ID, {"e2e_scale__factor": 3}, partition_key="small")
    run = airflow.wait_for_run(DAG_ID, run_id)
    assert run["state"] == "success", airflow.task_states(DAG_ID, run_id)
    assert len(mapped_instances(airflow, run_id, "e2e_scale")) == 2  # "small": two items
    assert stored_total(airflow, run_id) == (1 + 2) * 3
