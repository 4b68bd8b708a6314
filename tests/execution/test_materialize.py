"""materialize()/materialize_to_memory(): values, metadata, multi-assets, selection, partitions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from asset2airflow import (
    AssetExecutionContext,
    AssetKey,
    AssetOut,
    AssetSpec,
    FilesystemIOManager,
    InMemoryIOManager,
    IOManager,
    MaterializeResult,
    MetadataValue,
    MissingUpstreamValueError,
    Output,
    OutputMismatchError,
    PartitionError,
    RetryPolicy,
    SelectionError,
    StaticPartitionsDefinition,
    UserCodeError,
    asset,
    materialize,
    materialize_to_memory,
    multi_asset,
)


@asset
def numbers() -> list[int]:
    return [1, 2, 3]


@asset
def doubled(numbers: list[int]) -> list[int]:
    return [n * 2 for n in numbers]


@asset
def total(doubled: list[int]) -> int:
    return sum(doubled)


def test_values_flow_downstream_through_the_io_manager(tmp_path: Path) -> None:
    io = FilesystemIOManager(base_dir=str(tmp_path))
    result = materialize([numbers, doubled, total], resources={"io_manager": io})
    assert result.success
    assert result.output_for_node("total") == 12
    assert result.asset_value("doubled") == [2, 4, 6]
    assert (tmp_path / "total.pickle").exists()
    assert [m.asset_key for m in result.get_asset_materialization_events()] == [
        AssetKey("numbers"),
        AssetKey("doubled"),
        AssetKey("total"),
    ]


def test_default_io_manager_writes_under_asset2airflow_home(asset2airflow_home: Path) -> None:
    materialize([numbers])
    assert (asset2airflow_home / "storage" / "numbers.pickle").exists()


def test_unselected_upstream_loads_from_storage() -> None:
    materialize([numbers, doubled, total])
    result = materialize([numbers, doubled, total], selection=["total"])
    assert [o.step.name for o in result.step_outcomes] == ["total"]
    assert result.output_for_node("total") == 12


def test_never_materialized_upstream_names_it() -> None:
    with pytest.raises(MissingUpstreamValueError) as info:
        materialize([numbers, doubled], selection=["doubled"])
    message = str(info.value)
    assert "asset 'doubled'" in message and "'numbers'" in message
    assert "materialize" in message


def test_unknown_selection_names_the_key() -> None:
    with pytest.raises(SelectionError, match="'nope'"):
        materialize([numbers], selection=["nope"])


def test_metadata_from_output_context_and_materialize_result() -> None:
    @asset
    def with_output() -> Output:
        return Output([1], metadata={"rows": 1, "doc": MetadataValue.md("# hi")})

    @asset
    def with_context(context: AssetExecutionContext) -> int:
        context.add_output_metadata({"note": "added"})
        context.log.info("running %s", context.asset_key.to_user_string())
        return 5

    stored: list[Any] = []

    class Recording(InMemoryIOManager):
        def handle_output(self, context: Any, obj: Any) -> None:
            stored.append(context.asset_key)
            super().handle_output(context, obj)

    @asset
    def self_stored() -> MaterializeResult:
        return MaterializeResult(metadata={"external": True})

    result = materialize(
        [with_output, with_context, self_stored], resources={"io_manager": Recording()}
    )
    [m1] = result.asset_materializations_for_node("with_output")
    assert m1.metadata["rows"].value == 1 and m1.metadata["doc"].kind == "md"
    [m2] = result.asset_materializations_for_node("with_context")
    assert m2.metadata["note"].value == "added"
    [m3] = result.asset_materializations_for_node("self_stored")
    assert m3.metadata["external"].value is True
    assert AssetKey("self_stored") not in stored  # no value: the IO manager is not called


def test_key_prefix_inputs_and_node_names() -> None:
    @asset(key_prefix="sales")
    def raw() -> int:
        return 2

    @asset(key_prefix="sales")
    def clean(raw: int) -> int:
        return raw + 1

    result = materialize_to_memory([raw, clean])
    assert clean.key == AssetKey(["sales", "clean"])
    assert result.output_for_node("sales__clean") == 3


def test_multi_asset_tuple_yield_and_wrong_count() -> None:
    @multi_asset(outs={"left": AssetOut(), "right": AssetOut()})
    def split() -> tuple[int, int]:
        return 1, 2

    @multi_asset(outs={"a": AssetOut(), "b": AssetOut()})
    def yielding():  # type: ignore[no-untyped-def]
        yield Output(10, output_name="b")
        yield Output(20, output_name="a")

    @asset
    def combined(left: int, right: int, a: int) -> int:
        return left + right + a

    result = materialize_to_memory([split, yielding, combined])
    assert result.output_for_node("combined") == 23
    assert result.output_for_node("split", "right") == 2

    @multi_asset(outs={"x": AssetOut(), "y": AssetOut(), "z": AssetOut()})
    def too_few() -> tuple[int, int]:
        return 1, 2

    with pytest.raises(OutputMismatchError) as info:
        materialize_to_memory([too_few])
    message = str(info.value)
    assert (
        "'too_few'" in message and "returned 2 values" in message and "['x', 'y', 'z']" in message
    )


def test_multi_asset_specs_with_materialize_results() -> None:
    @multi_asset(specs=[AssetSpec("orders"), AssetSpec("customers")])
    def sync():  # type: ignore[no-untyped-def]
        yield MaterializeResult(asset_key="orders", metadata={"n": 3}, value=[1, 2, 3])
        yield MaterializeResult(asset_key="customers", value=["ann"])

    result = materialize_to_memory([sync])
    assert result.asset_value("customers") == ["ann"]
    assert result.asset_materializations_for_node("sync")[0].metadata["n"].value == 3


def test_subset_selection_of_multi_asset() -> None:
    @multi_asset(outs={"p": AssetOut(), "q": AssetOut()}, can_subset=True)
    def subsettable(context: AssetExecutionContext):  # type: ignore[no-untyped-def]
        for name in sorted(context.selected_output_names):
            yield Output(name.upper(), output_name=name)

    result = materialize_to_memory([subsettable], selection=["q"])
    assert result.output_for_node("subsettable", "q") == "Q"
    assert [m.asset_key for m in result.get_asset_materialization_events()] == [AssetKey("q")]

    @multi_asset(outs={"r": AssetOut(), "s": AssetOut()})
    def whole() -> tuple[int, int]:
        return 1, 2

    with pytest.raises(SelectionError, match="part of multi_asset 'whole'.*can_subset=True"):
        materialize_to_memory([whole], selection=["r"])


def test_user_error_names_the_asset_and_chains_the_original() -> None:
    @asset
    def broken() -> int:
        raise ValueError("bad input row 7")

    with pytest.raises(UserCodeError) as info:
        materialize_to_memory([broken])
    assert "asset 'broken' failed: ValueError: bad input row 7" in str(info.value)
    assert isinstance(info.value.__cause__, ValueError)


def test_raise_on_error_false_runs_independent_assets() -> None:
    @asset
    def broken() -> int:
        raise RuntimeError("boom")

    @asset
    def after_broken(broken: int) -> int:
        return broken

    result = materialize_to_memory([broken, after_broken, numbers], raise_on_error=False)
    assert not result.success
    assert result.output_for_node("numbers") == [1, 2, 3]
    assert result.skipped_steps == ["after_broken"]
    assert "boom" in str(result.errors[0])


def test_retry_policy_reruns_the_asset() -> None:
    attempts: list[int] = []

    @asset(retry_policy=RetryPolicy(max_retries=2))
    def flaky(context: AssetExecutionContext) -> int:
        attempts.append(context.retry_number)
        if len(attempts) < 3:
            raise ConnectionError("try again")
        return 1

    assert materialize_to_memory([flaky]).output_for_node("flaky") == 1
    assert attempts == [0, 1, 2]


def test_static_partitions_use_the_partition_path(tmp_path: Path) -> None:
    regions = StaticPartitionsDefinition(["north", "south"])

    @asset(partitions_def=regions)
    def regional(context: AssetExecutionContext) -> str:
        return f"data for {context.partition_key}"

    @asset(partitions_def=regions)
    def regional_report(regional: str) -> str:
        return regional.upper()

    io = FilesystemIOManager(base_dir=str(tmp_path))
    result = materialize(
        [regional, regional_report], resources={"io_manager": io}, partition_key="south"
    )
    assert result.output_for_node("regional_report") == "DATA FOR SOUTH"
    assert (tmp_path / "regional.partitions" / "south.pickle").exists()
    assert result.asset_materializations_for_node("regional")[0].partition == "south"
    with pytest.raises(PartitionError, match="'west' is not a partition of asset 'regional'"):
        materialize([regional], resources={"io_manager": io}, partition_key="west")
    with pytest.raises(PartitionError, match="pass partition_key"):
        materialize([regional], resources={"io_manager": io})
    with pytest.raises(PartitionError, match=r"the selection \['numbers'\] is not partitioned"):
        materialize([numbers], partition_key="north")


def test_materialize_to_memory_replaces_every_io_manager(tmp_path: Path) -> None:
    class Exploding(IOManager):
        def handle_output(self, context: Any, obj: Any) -> None:
            raise AssertionError("must not be used")

        def load_input(self, context: Any) -> Any:
            raise AssertionError("must not be used")

    @asset(io_manager_key="warehouse")
    def in_warehouse() -> int:
        return 4

    @asset
    def reads_it(in_warehouse: int) -> int:
        return in_warehouse * 2

    result = materialize_to_memory([in_warehouse, reads_it], resources={"warehouse": Exploding()})
    assert result.output_for_node("reads_it") == 8
