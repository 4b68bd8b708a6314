"""Dynamic partitions locally: keys live in the instance, a first run for a key adds it, bad
keys are refused quoting the key, and reading all partitions sees every added key."""

from __future__ import annotations

from pathlib import Path

import pytest

from asset2airflow import (
    AllPartitionMapping,
    AssetExecutionContext,
    AssetIn,
    DagsterInstance,
    DynamicPartitionsDefinition,
    FilesystemIOManager,
    PartitionError,
    asset,
    build_asset_context,
    materialize,
)
from asset2airflow.airflow.dynamic import EXTRA_KEY, AirflowDynamicPartitions, replay
from asset2airflow.errors import DefinitionError

files = DynamicPartitionsDefinition("files")


@asset
def file_list(context: AssetExecutionContext) -> list[str]:
    context.instance.add_dynamic_partitions("files", ["a.csv", "b.csv"])
    return ["a.csv", "b.csv"]


@asset(partitions_def=files)
def processed(context: AssetExecutionContext) -> str:
    return str(context.partition_key).upper()


@asset(ins={"processed": AssetIn(partition_mapping=AllPartitionMapping())})
def combined(processed: dict[str, str]) -> list[str]:
    return sorted(processed.values())


def test_keys_added_in_a_run_are_read_by_later_runs(tmp_path: Path) -> None:
    instance = DagsterInstance.ephemeral()
    resources = {"io_manager": FilesystemIOManager(base_dir=str(tmp_path))}
    materialize([file_list], resources=resources, instance=instance)
    assert instance.get_dynamic_partitions("files") == ["a.csv", "b.csv"]
    assert files.get_partition_keys(dynamic_partitions_store=instance) == ["a.csv", "b.csv"]
    for key in ("a.csv", "b.csv"):
        materialize([processed], resources=resources, instance=instance, partition_key=key)
    result = materialize(
        [processed, combined], resources=resources, instance=instance, selection=[combined]
    )
    assert result.output_for_node("combined") == ["A.CSV", "B.CSV"]


def test_first_run_for_a_new_key_adds_it_once(tmp_path: Path) -> None:
    instance = DagsterInstance.ephemeral()
    resources = {"io_manager": FilesystemIOManager(base_dir=str(tmp_path))}
    for _ in range(2):
        materialize([processed], resources=resources, instance=instance, partition_key="c.csv")
    assert instance.get_dynamic_partitions("files") == ["c.csv"]
    instance.delete_dynamic_partition("files", "c.csv")
    assert not instance.has_dynamic_partition("files", "c.csv")


@pytest.mark.parametrize("key", ["a|b", "x...y", "line\nbreak", "", "k" * 251])
def test_bad_dynamic_keys_are_refused_and_not_added(key: str, tmp_path: Path) -> None:
    instance = DagsterInstance.ephemeral()
    storage = tmp_path / "storage"
    resources = {"io_manager": FilesystemIOManager(base_dir=str(storage))}
    with pytest.raises(PartitionError, match="dynamic partition key"):
        materialize([processed], resources=resources, instance=instance, partition_key=key)
    assert instance.get_dynamic_partitions("files") == []
    assert not storage.exists()


def test_keys_need_a_store_and_a_good_name() -> None:
    with pytest.raises(PartitionError, match=r"DynamicPartitionsDefinition\('files'\).*store"):
        files.get_partition_keys()
    with pytest.raises(DefinitionError, match="name 'my files'"):
        DynamicPartitionsDefinition("my files")
    with pytest.raises(PartitionError, match=r"takes a list of keys; write \['a'\]"):
        DagsterInstance().add_dynamic_partitions("files", "a")  # type: ignore[arg-type]
    with pytest.raises(PartitionError, match="context.instance exists only while a run"):
        _ = build_asset_context().instance
    assert files.build_add_request(["a"]).partition_keys == ("a",)


def _event(added: list[str], deleted: list[str] = []) -> dict[str, object]:  # noqa: B006
    return {EXTRA_KEY: {"added": added, "deleted": deleted}}


def test_registry_events_replay_in_order_and_concurrent_adds_both_land() -> None:
    # Two tasks that added keys at once each emitted their own event: both are kept.
    assert replay([_event(["a"]), _event(["b"]), _event(["c"], ["a"])]) == ["b", "c"]

    class Event:
        def __init__(self, extra: dict[str, object]) -> None:
            self.extra = extra

    registry = object()
    store = AirflowDynamicPartitions({registry: [Event(_event(["a", "b"]))]}, {"files": registry})
    store.add_dynamic_partitions("files", ["b", "c"])
    store.delete_dynamic_partition("files", "a")
    assert store.get_dynamic_partitions("files") == ["b", "c"]
    assert store.changes() == [(registry, _event(["c"], ["a"]))]
    with pytest.raises(PartitionError, match="no DynamicPartitionsDefinition named 'fils'"):
        store.get_dynamic_partitions("fils")
