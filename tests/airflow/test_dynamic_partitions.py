"""Dynamic partitions in Airflow: keys added by one task (``context.instance``) or by the first
run for a key are kept as events of the definition's registry asset in Airflow's metadata DB,
read back by later tasks, and never added by a task that failed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asset2airflow.airflow.dynamic import registry_name
from tests.airflow.conftest import asset_events, task_states

pytestmark = pytest.mark.integration

MODULE = """
from asset2airflow import (AllPartitionMapping, AssetExecutionContext, AssetIn,
                           AutomationCondition, Config, Definitions,
                           DynamicPartitionsDefinition, asset)
from asset2airflow.airflow import build_dags

files = DynamicPartitionsDefinition("files")


class Discover(Config):
    names: list[str] = ["a.csv", "b.csv"]
    fail: bool = False


@asset(group_name="discover")
def file_list(context: AssetExecutionContext, config: Discover) -> list:
    context.instance.add_dynamic_partitions("files", config.names)
    if config.fail:
        raise ValueError("discovery failed after adding keys")
    return config.names


@asset(group_name="files", partitions_def=files)
def processed(context: AssetExecutionContext) -> str:
    return context.partition_key.upper()


@asset(
    group_name="report",
    ins={"processed": AssetIn(partition_mapping=AllPartitionMapping())},
    automation_condition=AutomationCondition.on_cron("0 6 * * *"),
)
def report(context: AssetExecutionContext, processed: dict) -> list:
    context.log.info("report over %s", sorted(processed))
    return sorted(processed.values())


build_dags(Definitions(assets=[file_list, processed, report]))
"""


def test_keys_added_by_a_task_are_read_by_later_runs(
    load_dag_file: Callable[..., Any], asset2airflow_home: Path
) -> None:
    dags = load_dag_file("dynamic_files.py", MODULE)
    registry = registry_name("files")
    before = len(asset_events(registry))  # the Airflow DB is shared by the session's tests

    def changes() -> list[dict[str, Any]]:
        return [e["asset2airflow_dynamic_partitions"] for e in asset_events(registry)[before:]]

    failed = dags["discover"].test(
        run_conf={"file_list__names": ["z.csv"], "file_list__fail": True}
    )
    assert failed.state == "failed"
    assert changes() == []  # a failed task adds nothing

    # (dag.test() keeps the previous run's conf in the DAG's params: pass every field.)
    ok = {"file_list__names": ["a.csv", "b.csv"], "file_list__fail": False}
    assert dags["discover"].test(run_conf=ok).state == "success"
    assert changes() == [{"added": ["a.csv", "b.csv"], "deleted": []}]

    run = dags["files"].test(run_conf={"partition_key": "a.csv"})
    assert task_states(run) == {"processed": "success"}
    stored = asset2airflow_home / "storage" / "processed.partitions"
    assert sorted(p.name for p in stored.iterdir()) == [
        "a%2Ecsv.pickle"
    ]  # keys are encoded on disk

    # A first run for a key that was never added adds it, once.
    assert dags["files"].test(run_conf={"partition_key": "c.csv"}).state == "success"
    assert dags["files"].test(run_conf={"partition_key": "c.csv"}).state == "success"
    assert changes()[1:] == [{"added": ["c.csv"], "deleted": []}]

    # b.csv was added but never materialized: reading all partitions fails naming it.
    blocked = dags["report"].test()
    assert task_states(blocked) == {"report": "failed"}
    assert dags["files"].test(run_conf={"partition_key": "b.csv"}).state == "success"
    assert task_states(dags["report"].test()) == {"report": "success"}


def test_hostile_dynamic_key_fails_without_adding(
    load_dag_file: Callable[..., Any], asset2airflow_home: Path
) -> None:
    dags = load_dag_file("dynamic_files.py", MODULE)
    before = asset_events(registry_name("files"))
    run = dags["files"].test(run_conf={"partition_key": "a|b"})
    assert task_states(run) == {"processed": "failed"}
    assert asset_events(registry_name("files")) == before
