"""ParquetIOManager: DataFrames and Tables as .parquet files, on real files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from asset2airflow.authoring.config import EnvVar
from asset2airflow.authoring.io_manager import build_input_context, build_output_context
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.errors import EnvVarNotSetError, IOManagerError, MissingUpstreamValueError
from asset2airflow.io import ParquetIOManager


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return tmp_path / "store"


def store(manager: ParquetIOManager, key: str, value: Any, **kwargs: Any) -> dict[str, Any]:
    context = build_output_context(key, **kwargs)
    manager.handle_output(context, value)
    return {name: entry.value for name, entry in context.output_metadata.items()}


def load(manager: ParquetIOManager, key: str, **kwargs: Any) -> Any:
    return manager.load_input(build_input_context(key, **kwargs))


FRAME = pd.DataFrame(
    {
        "id": [1, 2, 3],
        "amount": [9.5, 3.0, None],
        "name": ["a", "b", None],
        "at": pd.to_datetime(["2026-11-01", "2026-11-02", "2026-11-03"]),
    }
)


def test_dataframe_round_trip_layout_and_metadata(base: Path) -> None:
    manager = ParquetIOManager(base_dir=str(base))
    metadata = store(manager, "sales/orders", FRAME)
    path = base / "sales" / "orders.parquet"
    assert metadata == {"path": str(path), "row_count": 3}
    assert os.listdir(base / "sales") == ["orders.parquet"]
    pd.testing.assert_frame_equal(load(manager, "sales/orders"), FRAME)


def test_a_non_default_index_survives(base: Path) -> None:
    manager = ParquetIOManager(base_dir=str(base))
    indexed = FRAME.set_index("name")
    store(manager, "indexed", indexed)
    pd.testing.assert_frame_equal(load(manager, "indexed"), indexed)


def test_partitions_are_separate_files(base: Path) -> None:
    manager = ParquetIOManager(base_dir=str(base))
    store(manager, "daily", FRAME.head(1), partition_key="2026-11-01")
    store(manager, "daily", FRAME.tail(2).reset_index(drop=True), partition_key="2026-11-02")
    partitions = base / "daily.partitions"
    assert sorted(os.listdir(partitions)) == ["2026-11-01.parquet", "2026-11-02.parquet"]
    assert load(manager, "daily", partition_key="2026-11-02")["id"].tolist() == [2, 3]


def test_arrow_table_stored_and_loaded_as_pandas_by_default(base: Path) -> None:
    manager = ParquetIOManager(base_dir=str(base))
    metadata = store(manager, "table", pa.table({"n": [1, 2]}))
    assert metadata["row_count"] == 2
    loaded = load(manager, "table")
    assert isinstance(loaded, pd.DataFrame) and loaded["n"].tolist() == [1, 2]


def test_load_as_pyarrow_from_input_or_upstream_metadata(base: Path) -> None:
    manager = ParquetIOManager(base_dir=str(base))
    store(manager, "frame", FRAME)
    from_input = load(manager, "frame", definition_metadata={"load_as": "pyarrow"})
    from_upstream = load(manager, "frame", upstream_definition_metadata={"load_as": "pyarrow"})
    for table in (from_input, from_upstream):
        assert isinstance(table, pa.Table) and table.num_rows == 3
    overridden = load(
        manager,
        "frame",
        definition_metadata={"load_as": "pandas"},
        upstream_definition_metadata={"load_as": "pyarrow"},
    )
    assert isinstance(overridden, pd.DataFrame)


def test_unknown_load_as_names_the_asset_and_the_choices(base: Path) -> None:
    manager = ParquetIOManager(base_dir=str(base))
    store(manager, "frame", FRAME)
    with pytest.raises(IOManagerError, match="asset 'frame'.*load_as='pandas'.*load_as='pyarrow'"):
        load(manager, "frame", definition_metadata={"load_as": "polars"})


def test_wrong_type_names_asset_and_type_and_keeps_previous_value(base: Path) -> None:
    manager = ParquetIOManager(base_dir=str(base))
    store(manager, "p/frame", FRAME)
    with pytest.raises(IOManagerError) as info:
        store(manager, "p/frame", {"not": "a frame"})
    message = str(info.value)
    assert "asset 'p/frame'" in message and "returned a dict" in message
    assert "DataFrame" in message and "FilesystemIOManager" in message
    pd.testing.assert_frame_equal(load(manager, "p/frame"), FRAME)


def test_missing_value_names_asset_partition_and_path(base: Path) -> None:
    manager = ParquetIOManager(base_dir=str(base))
    with pytest.raises(MissingUpstreamValueError) as info:
        load(manager, "sales/orders", partition_key="eu")
    message = str(info.value)
    assert "partition 'eu' of asset 'sales/orders'" in message
    assert str(base / "sales" / "orders.partitions" / "eu.parquet") in message
    assert "materialize 'sales/orders' first" in message


def test_storage_uri(base: Path) -> None:
    manager = ParquetIOManager(base_dir=str(base))
    assert manager.storage_uri(AssetKey(["sales", "orders"])) == (
        f"file://{base}/sales/orders.parquet"
    )
    assert not base.exists()


def test_env_var_base_dir_is_read_at_run_time(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("A2A_TEST_PARQUET_DIR", raising=False)
    manager = ParquetIOManager(base_dir=EnvVar("A2A_TEST_PARQUET_DIR"))
    assert manager.storage_uri(AssetKey("frame")) is None
    with pytest.raises(EnvVarNotSetError, match="ParquetIOManager.base_dir"):
        store(manager, "frame", FRAME)
    monkeypatch.setenv("A2A_TEST_PARQUET_DIR", str(base))
    store(manager, "frame", FRAME)
    assert (base / "frame.parquet").is_file()
    pd.testing.assert_frame_equal(load(manager, "frame"), FRAME)
