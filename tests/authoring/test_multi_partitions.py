"""Two-dimensional partitions as in Dagster: ``"date|region"`` keys in dimension-name order,
``MultiPartitionKey.keys_by_dimension``, and invalid keys naming the dimension at fault."""

from __future__ import annotations

import pytest

from asset2airflow import (
    AssetExecutionContext,
    DailyPartitionsDefinition,
    DefinitionError,
    FilesystemIOManager,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    PartitionError,
    StaticPartitionsDefinition,
    asset,
    materialize,
)

REGIONS = StaticPartitionsDefinition(["eu", "us"])
DAYS = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03")
BOTH = MultiPartitionsDefinition({"region": REGIONS, "date": DAYS})


def test_keys_join_one_key_per_dimension_in_name_order() -> None:
    assert BOTH.partition_dimension_names == ["date", "region"]
    assert BOTH.get_partition_keys() == [
        "2024-01-01|eu", "2024-01-01|us", "2024-01-02|eu", "2024-01-02|us",
    ]  # fmt: skip
    key = BOTH.get_partition_keys()[1]
    assert isinstance(key, MultiPartitionKey)
    assert key.keys_by_dimension == {"date": "2024-01-01", "region": "us"}
    assert MultiPartitionKey({"region": "eu", "date": "2024-01-02"}) == "2024-01-02|eu"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("2024-01-01", r"expected <date>\|<region>, e.g. '2024-01-01\|eu'"),
        ("2024-01-01|apac", r"'apac'.*dimension 'region'"),
        ("01/01/2024|eu", r"dimension 'date'.*format '%Y-%m-%d'"),
    ],
)
def test_invalid_keys_name_the_dimension_and_the_expected_form(key: str, message: str) -> None:
    with pytest.raises(PartitionError, match=message):
        BOTH.validate_key(key, "asset 'sales'")


def test_bad_definitions_are_refused() -> None:
    with pytest.raises(DefinitionError, match="exactly two dimensions"):
        MultiPartitionsDefinition({"region": REGIONS})
    with pytest.raises(DefinitionError, match="contains '\\|'"):
        MultiPartitionsDefinition(
            {"a": StaticPartitionsDefinition(["x|y"]), "b": REGIONS}
        ).get_partition_keys()


def test_materialize_one_multi_partition_to_its_own_file(tmp_path: object) -> None:
    @asset(partitions_def=BOTH)
    def sales(context: AssetExecutionContext) -> str:
        key = context.partition_key
        assert isinstance(key, MultiPartitionKey)  # as in Dagster
        return f"{key.keys_by_dimension['region']} on {key.keys_by_dimension['date']}"

    io = FilesystemIOManager(base_dir=str(tmp_path))
    result = materialize([sales], resources={"io_manager": io}, partition_key="2024-01-02|us")
    assert result.output_for_node("sales") == "us on 2024-01-02"
    assert (tmp_path / "sales.partitions" / "2024-01-02%7Cus.pickle").exists()  # type: ignore[operator]
