"""Built-in IO managers: round trips, layout, partitions, metadata and errors, on real files
and a real SQLite database."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from asset2airflow import (
    EnvVar,
    EnvVarNotSetError,
    FilesystemIOManager,
    InMemoryIOManager,
    IOManager,
    IOManagerError,
    MissingUpstreamValueError,
    ParquetIOManager,
    SQLTableIOManager,
    build_input_context,
    build_output_context,
)
from asset2airflow.io import default_storage_dir


def store(manager: IOManager, key: object, value: object, **kwargs: object) -> dict[str, object]:
    context = build_output_context(key, **kwargs)  # type: ignore[arg-type]
    manager.handle_output(context, value)
    return {k: v.value for k, v in context.output_metadata.items()}


def load(manager: IOManager, key: object, **kwargs: object) -> object:
    return manager.load_input(build_input_context(key, **kwargs))  # type: ignore[arg-type]


def test_filesystem_layout_partitions_and_uri(tmp_path: Path) -> None:
    manager = FilesystemIOManager(base_dir=str(tmp_path))
    metadata = store(manager, ["sales", "raw"], {"rows": 3})
    assert (tmp_path / "sales" / "raw.pickle").is_file()
    assert metadata == {"path": str(tmp_path / "sales" / "raw.pickle")}
    assert load(manager, "sales/raw") == {"rows": 3}
    store(manager, ["sales", "daily"], [1], partition_key="2026-11-01")
    assert (tmp_path / "sales" / "daily.partitions" / "2026-11-01.pickle").is_file()
    assert load(manager, "sales/daily", partition_key="2026-11-01") == [1]
    assert (
        manager.storage_uri(__import__("asset2airflow").AssetKey(["sales", "raw"]))
        == f"file://{tmp_path}/sales/raw.pickle"
    )


def test_default_storage_dir_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ASSET2AIRFLOW_HOME", str(tmp_path / "home"))
    assert default_storage_dir() == tmp_path / "home" / "storage"
    monkeypatch.setenv("ASSET2AIRFLOW_STORAGE_DIR", str(tmp_path / "elsewhere"))
    assert default_storage_dir() == tmp_path / "elsewhere"
    store(FilesystemIOManager(), "x", 1)
    assert (tmp_path / "elsewhere" / "x.pickle").exists()


@pytest.mark.parametrize(
    "manager_factory",
    [
        lambda d: FilesystemIOManager(base_dir=d),
        lambda d: ParquetIOManager(base_dir=d),
        lambda d: SQLTableIOManager(url=f"sqlite:///{d}/db.sqlite"),
        lambda d: InMemoryIOManager(),
    ],
    ids=["filesystem", "parquet", "sql", "memory"],
)
def test_missing_value_names_the_asset(manager_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MissingUpstreamValueError) as info:
        load(manager_factory(str(tmp_path)), "sales/raw")
    assert "'sales/raw'" in str(info.value) and "materialize 'sales/raw' first" in str(info.value)


def test_env_var_base_dir_is_read_when_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DATA_DIR", raising=False)
    manager = FilesystemIOManager(base_dir=EnvVar("DATA_DIR"))
    assert manager.storage_uri(__import__("asset2airflow").AssetKey("x")) is None
    with pytest.raises(EnvVarNotSetError, match="'DATA_DIR'"):
        store(manager, "x", 1)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    store(manager, "x", 1)
    assert (tmp_path / "x.pickle").exists()


def test_parquet_dataframes_tables_and_wrong_types(tmp_path: Path) -> None:
    manager = ParquetIOManager(base_dir=str(tmp_path))
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    metadata = store(manager, ["p", "frame"], frame)
    assert metadata["row_count"] == 3 and (tmp_path / "p" / "frame.parquet").is_file()
    pd.testing.assert_frame_equal(load(manager, "p/frame"), frame)  # type: ignore[arg-type]
    store(manager, "table", pa.table({"n": [1]}), partition_key="eu")
    as_table = load(
        manager, "table", partition_key="eu", definition_metadata={"load_as": "pyarrow"}
    )
    assert isinstance(as_table, pa.Table) and as_table.num_rows == 1
    with pytest.raises(IOManagerError, match="asset 'p/bad'.*returned a dict"):
        store(manager, ["p", "bad"], {"not": "a frame"})


def test_sql_tables_schemas_partitions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/wh.db"
    manager = SQLTableIOManager(url=url)
    frame = pd.DataFrame({"id": [1, 2], "amount": [9.5, 3.0]})
    metadata = store(manager, ["sales", "orders"], frame)
    assert metadata == {"table": "sales.orders", "row_count": 2}
    assert (tmp_path / "wh.sales.db").is_file()  # the SQLite stand-in for a schema
    pd.testing.assert_frame_equal(load(manager, "sales/orders"), frame)  # type: ignore[arg-type]
    store(manager, ["sales", "orders"], frame.head(1))  # replaces the whole table
    assert len(load(manager, "sales/orders")) == 1  # type: ignore[arg-type]
    meta = {"partition_expr": "day"}
    for day, rows in (("d1", [1, 2]), ("d2", [3]), ("d1", [4])):
        store(
            manager,
            "events",
            pd.DataFrame({"v": rows}),
            partition_key=day,
            definition_metadata=meta,
        )
    d1 = load(manager, "events", partition_key="d1", upstream_definition_metadata=meta)
    assert d1["v"].tolist() == [4]  # type: ignore[index]
    with pytest.raises(IOManagerError, match="'partition_expr'"):
        store(manager, "nopart", frame, partition_key="d1")
    with pytest.raises(IOManagerError, match="returned a list"):
        store(manager, "bad", [1, 2])
    assert manager.storage_uri(__import__("asset2airflow").AssetKey(["sales", "orders"])) == (
        f"sqlite:///{tmp_path}/wh.db/sales.orders"
    )


def test_sql_uri_never_shows_a_password() -> None:
    manager = SQLTableIOManager(url="postgresql://user:s3cret@db.example.com:5432/warehouse")
    uri = manager.storage_uri(__import__("asset2airflow").AssetKey("orders"))
    assert uri == "postgresql://db.example.com:5432/warehouse/orders"
