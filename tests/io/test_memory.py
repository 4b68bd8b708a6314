"""InMemoryIOManager: values by (asset key, partition), by reference, per instance."""

from __future__ import annotations

import time

import pytest

from asset2airflow.authoring.io_manager import build_input_context, build_output_context
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.errors import MissingUpstreamValueError
from asset2airflow.io import InMemoryIOManager


def test_round_trip_keeps_the_same_object() -> None:
    manager = InMemoryIOManager()
    value = {"rows": [1, 2]}
    manager.handle_output(build_output_context("sales/raw"), value)
    assert manager.load_input(build_input_context(["sales", "raw"])) is value


def test_key_prefixes_and_partitions_are_distinct_entries() -> None:
    manager = InMemoryIOManager()
    manager.handle_output(build_output_context("raw"), "plain")
    manager.handle_output(build_output_context("sales/raw"), "prefixed")
    manager.handle_output(build_output_context("sales/raw", partition_key="eu"), "eu")
    assert manager.load_input(build_input_context("raw")) == "plain"
    assert manager.load_input(build_input_context("sales/raw")) == "prefixed"
    assert manager.load_input(build_input_context("sales/raw", partition_key="eu")) == "eu"
    assert manager.values[(AssetKey(["sales", "raw"]), "eu")] == "eu"


def test_missing_value_names_asset_and_partition() -> None:
    manager = InMemoryIOManager()
    manager.handle_output(build_output_context("daily", partition_key="d1"), 1)
    with pytest.raises(MissingUpstreamValueError) as info:
        manager.load_input(build_input_context("daily", partition_key="d2"))
    message = str(info.value)
    assert "partition 'd2' of asset 'daily'" in message and "materialize 'daily' first" in message


def test_instances_do_not_share_values_and_have_no_storage_uri() -> None:
    first, second = InMemoryIOManager(), InMemoryIOManager()
    first.handle_output(build_output_context("x"), 1)
    with pytest.raises(MissingUpstreamValueError, match="asset 'x'"):
        second.load_input(build_input_context("x"))
    assert first.storage_uri(AssetKey("x")) is None


def test_store_and_load_are_cheap() -> None:
    manager = InMemoryIOManager()
    outputs = [build_output_context(f"asset_{i}") for i in range(1000)]
    inputs = [build_input_context(f"asset_{i}") for i in range(1000)]
    start = time.perf_counter()
    for i, (out, inp) in enumerate(zip(outputs, inputs, strict=True)):
        manager.handle_output(out, i)
        assert manager.load_input(inp) == i
    assert time.perf_counter() - start < 0.1  # ~1 ms in practice; the budget is 0.4 ms/asset
