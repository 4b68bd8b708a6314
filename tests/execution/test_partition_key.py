"""One resolver admits and validates a run's partition key, wherever the key comes from: an
argument of ``materialize``/``execute_in_process``, an Airflow task, a ``RunRequest`` or an end
of ``--partition-range``. Its errors name what runs and the valid keys or format."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from asset2airflow import (
    DagsterInstance,
    DailyPartitionsDefinition,
    Definitions,
    DynamicPartitionsDefinition,
    FilesystemIOManager,
    StaticPartitionsDefinition,
    asset,
    define_asset_job,
    job,
    materialize,
    op,
)
from asset2airflow.authoring.dynamic_partitions import dynamic_partitions_store
from asset2airflow.errors import PartitionError
from asset2airflow.execution.partition_key import (
    KeySource,
    NewDynamicKey,
    resolve_partition_key,
    run_partitions_def,
)

REGIONS = StaticPartitionsDefinition(["north", "south"])
DAILY = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")


@asset(partitions_def=REGIONS)
def regional(context) -> str:  # type: ignore[no-untyped-def]
    return str(context.partition_key)


@asset
def plain() -> int:
    return 1


@op
def which_region(context) -> str:  # type: ignore[no-untyped-def]
    return str(context.partition_key)


@job(partitions_def=REGIONS)
def regions_job() -> None:
    which_region()


def test_a_valid_key_is_returned_and_an_invalid_one_names_the_owner_and_the_keys() -> None:
    assert resolve_partition_key("north", REGIONS, "asset 'regional'") == "north"
    with pytest.raises(PartitionError) as info:
        resolve_partition_key("west", REGIONS, "asset 'regional'")
    assert "'west' is not a partition of asset 'regional'; valid keys: north, south" in str(
        info.value
    )
    with pytest.raises(PartitionError, match="does not match the format '%Y-%m-%d'"):
        resolve_partition_key("2024/01/03", DAILY, "job 'daily'")


@pytest.mark.parametrize(
    ("source", "how"),
    [
        (KeySource.ARGUMENT, "pass partition_key=..."),
        (KeySource.AIRFLOW_RUN, "the Partition Key field of the trigger form"),
        (KeySource.RUN_REQUEST, "return RunRequest(partition_key=...)"),
        (KeySource.RANGE, "give --partition-range START...END"),
    ],
)
def test_a_partitioned_run_without_a_key_is_told_how_to_give_one(
    source: KeySource, how: str
) -> None:
    with pytest.raises(PartitionError) as info:
        resolve_partition_key(None, REGIONS, "DAG 'regions'", source)
    message = str(info.value)
    assert message.startswith("DAG 'regions' is partitioned by StaticPartitionsDefinition")
    assert how in message


def test_a_stray_key_is_an_error_except_in_an_airflow_task() -> None:
    """A DAG run's key reaches the DAG's unpartitioned tasks too; they ignore it."""
    assert resolve_partition_key(None, None, "asset 'plain'") is None
    with pytest.raises(PartitionError, match="drop partition_key from the RunRequest"):
        resolve_partition_key("north", None, "DAG 'plain'", KeySource.RUN_REQUEST)
    with pytest.raises(PartitionError, match="job 'j' is not partitioned.*drop partition_key"):
        resolve_partition_key("north", None, "job 'j'")
    assert resolve_partition_key("north", None, "DAG 'mixed'", KeySource.AIRFLOW_RUN) == "north"


def test_each_source_says_what_a_new_dynamic_key_means(
    caplog: pytest.LogCaptureFixture,
) -> None:
    uploads = DynamicPartitionsDefinition(name="uploads")
    assert [s.new_dynamic_key for s in KeySource] == [
        NewDynamicKey.ADD,
        NewDynamicKey.ADD,
        NewDynamicKey.DEFER,
        NewDynamicKey.REFUSE,
    ]
    instance = DagsterInstance.ephemeral()
    with dynamic_partitions_store(instance):
        with pytest.raises(PartitionError, match="never added"):
            resolve_partition_key("a.png", uploads, "asset 'u'", KeySource.RANGE)
        assert resolve_partition_key("a.png", uploads, "DAG 'u'", KeySource.RUN_REQUEST)
        assert instance.get_dynamic_partitions("uploads") == []  # the triggered run adds it
        with pytest.raises(PartitionError, match="contains '|'"):
            resolve_partition_key("a|b", uploads, "DAG 'u'", KeySource.RUN_REQUEST)
        with caplog.at_level(logging.INFO, logger="asset2airflow.partitions"):
            resolve_partition_key("a.png", uploads, "asset 'u'", KeySource.ARGUMENT)
        assert instance.get_dynamic_partitions("uploads") == ["a.png"]
        assert "Added partition 'a.png'" in caplog.text
        assert resolve_partition_key("a.png", uploads, "asset 'u'", KeySource.RANGE) == "a.png"


def test_a_run_has_one_partitions_definition() -> None:
    @asset(partitions_def=DAILY)
    def daily() -> int:
        return 1

    graph = Definitions(assets=[regional, daily, plain]).asset_graph
    keys = {a.key for a in (regional, daily, plain)}
    with pytest.raises(PartitionError, match="have different partitions"):
        run_partitions_def(graph, keys)
    assert run_partitions_def(graph, {regional.key, plain.key}) == (REGIONS, "asset 'regional'")
    assert run_partitions_def(graph, {plain.key}) == (None, "the selection ['plain']")


def test_every_local_entry_point_gives_the_same_error_for_a_bad_key(tmp_path: Path) -> None:
    """``materialize``, an op job, an asset job and ``--partition-range`` share the check."""
    from asset2airflow.cli.partition_range import partition_keys

    resources = {"io_manager": FilesystemIOManager(base_dir=str(tmp_path))}
    defs = Definitions(
        assets=[regional],
        jobs=[define_asset_job("regional_job", selection=[regional], partitions_def=REGIONS)],
        resources=resources,
    )
    calls = [
        (
            "asset 'regional'",
            lambda: materialize([regional], resources=resources, partition_key="west"),
        ),
        ("job 'regions_job'", lambda: regions_job.execute_in_process(partition_key="west")),
        (
            "asset 'regional'",
            lambda: defs.get_job_def("regional_job").execute_in_process(partition_key="west"),
        ),
        (
            "asset 'regional'",
            lambda: partition_keys("north...west", defs.asset_graph, {regional.key}),
        ),
    ]
    for owner, call in calls:
        with pytest.raises(PartitionError) as info:
            call()
        assert f"'west' is not a partition of {owner}; valid keys: north, south" in str(info.value)
