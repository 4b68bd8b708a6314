"""SQLTableIOManager on a real SQLite database: tables, schemas as ATTACHed files, partitions,
transactions, errors and URIs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from asset2airflow.authoring.config import EnvVar
from asset2airflow.authoring.io_manager import build_input_context, build_output_context
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.errors import EnvVarNotSetError, IOManagerError, MissingUpstreamValueError
from asset2airflow.io import SQLTableIOManager

PARTITIONED = {"partition_expr": "day"}
FRAME = pd.DataFrame({"id": [1, 2], "amount": [9.5, 3.0], "name": ["a", "b"]})


@pytest.fixture
def db_dir(tmp_path: Path) -> Path:
    return tmp_path / "db"


@pytest.fixture
def manager(db_dir: Path) -> SQLTableIOManager:
    return SQLTableIOManager(url=f"sqlite:///{db_dir / 'wh.db'}")


def store(manager: SQLTableIOManager, key: str, value: Any, **kwargs: Any) -> dict[str, Any]:
    context = build_output_context(key, **kwargs)
    manager.handle_output(context, value)
    return {name: entry.value for name, entry in context.output_metadata.items()}


def load(manager: SQLTableIOManager, key: str, **kwargs: Any) -> Any:
    return manager.load_input(build_input_context(key, **kwargs))


def test_round_trip_and_metadata(manager: SQLTableIOManager) -> None:
    assert store(manager, "orders", FRAME) == {"table": "orders", "row_count": 2}
    pd.testing.assert_frame_equal(load(manager, "orders"), FRAME)


def test_key_prefix_is_a_schema_attached_from_a_sibling_file(
    manager: SQLTableIOManager, db_dir: Path
) -> None:
    assert store(manager, "sales/eu/orders", FRAME)["table"] == "sales/eu.orders"
    store(manager, "orders", FRAME.head(1))
    assert sorted(os.listdir(db_dir)) == ["wh.db", "wh.sales%2Feu.db"]
    pd.testing.assert_frame_equal(load(manager, "sales/eu/orders"), FRAME)
    assert len(load(manager, "orders")) == 1


def test_second_write_replaces_the_whole_table(manager: SQLTableIOManager) -> None:
    store(manager, "s/orders", FRAME)
    store(manager, "s/orders", pd.DataFrame({"other": ["x"]}))
    assert load(manager, "s/orders").to_dict("list") == {"other": ["x"]}


def test_failed_write_rolls_back_to_the_previous_table(manager: SQLTableIOManager) -> None:
    store(manager, "orders", FRAME)
    unbindable = pd.DataFrame({"id": [1, 2], "payload": [{"a": 1}, {"b": 2}]})
    with pytest.raises(IOManagerError) as info:
        store(manager, "orders", unbindable)  # fails after the DROP, inside the transaction
    assert "could not store asset 'orders' (table orders of sqlite:///" in str(info.value)
    assert "rolled back" in str(info.value) and info.value.__cause__ is not None
    pd.testing.assert_frame_equal(load(manager, "orders"), FRAME)


def test_failed_partition_write_keeps_the_partition_rows(manager: SQLTableIOManager) -> None:
    frame = pd.DataFrame({"v": [1, 2]})
    store(manager, "events", frame, partition_key="d1", definition_metadata=PARTITIONED)
    unbindable = pd.DataFrame({"v": [{"a": 1}]})
    with pytest.raises(IOManagerError, match="could not store asset 'events'"):
        store(manager, "events", unbindable, partition_key="d1", definition_metadata=PARTITIONED)
    assert load(manager, "events").to_dict("list") == {"v": [1, 2], "day": ["d1", "d1"]}


def test_unreadable_database_names_the_asset(manager: SQLTableIOManager, db_dir: Path) -> None:
    db_dir.mkdir()
    (db_dir / "wh.db").write_bytes(b"this is not a SQLite database" * 100)
    with pytest.raises(IOManagerError, match="could not load asset 'orders'"):
        load(manager, "orders")


def test_partitions_replace_only_their_rows(manager: SQLTableIOManager) -> None:
    for day, values in (("d1", [1, 2]), ("d2", [3]), ("d1", [4])):
        frame = pd.DataFrame({"v": values})
        metadata = store(
            manager, "events", frame, partition_key=day, definition_metadata=PARTITIONED
        )
        assert metadata["row_count"] == len(values)
    d1 = load(manager, "events", partition_key="d1", upstream_definition_metadata=PARTITIONED)
    assert d1.to_dict("list") == {"v": [4], "day": ["d1"]}
    d2 = load(manager, "events", partition_key="d2", definition_metadata=PARTITIONED)
    assert d2["v"].tolist() == [3]
    assert load(manager, "events")["day"].tolist() == ["d2", "d1"]


def test_partition_column_given_by_the_asset_must_match_the_partition(
    manager: SQLTableIOManager,
) -> None:
    good = pd.DataFrame({"day": ["d1", "d1"], "v": [1, 2]})
    store(manager, "events", good, partition_key="d1", definition_metadata=PARTITIONED)
    bad = pd.DataFrame({"day": ["d2", "d3"], "v": [1, 2]})
    with pytest.raises(IOManagerError, match="partition 'd2' of asset 'events'.*'d3'"):
        store(manager, "events", bad, partition_key="d2", definition_metadata=PARTITIONED)
    assert load(manager, "events").to_dict("list") == good.to_dict("list")


def test_partition_column_is_stored_as_the_key_text_so_rewrites_replace_it(
    manager: SQLTableIOManager,
) -> None:
    dated = pd.DataFrame({"day": pd.to_datetime(["2026-11-01"]), "v": [1]})
    meta = {"definition_metadata": PARTITIONED}
    store(manager, "events", dated, partition_key="2026-11-01", **meta)
    store(manager, "events", dated.assign(v=2), partition_key="2026-11-01", **meta)
    assert load(manager, "events").to_dict("list") == {"day": ["2026-11-01"], "v": [2]}


def test_partitioned_without_partition_expr_says_what_to_add(manager: SQLTableIOManager) -> None:
    with pytest.raises(IOManagerError, match="asset 'events' is partitioned.*'partition_expr'"):
        store(manager, "events", FRAME, partition_key="d1")
    store(
        manager,
        "events",
        FRAME.assign(day="d1"),
        partition_key="d1",
        definition_metadata=PARTITIONED,
    )
    with pytest.raises(IOManagerError, match="asset 'events' is partitioned.*'partition_expr'"):
        load(manager, "events", partition_key="d1")


def test_missing_table_names_the_asset_and_creates_nothing(
    manager: SQLTableIOManager, db_dir: Path
) -> None:
    with pytest.raises(MissingUpstreamValueError) as info:
        load(manager, "sales/orders")
    message = str(info.value)
    assert "asset 'sales/orders'" in message and "table sales.orders" in message
    assert "materialize 'sales/orders' first" in message
    assert not db_dir.exists()
    store(manager, "other", FRAME)
    store(manager, "sales/other", FRAME)
    with pytest.raises(MissingUpstreamValueError, match="partition 'd1' of asset 'sales/orders'"):
        load(manager, "sales/orders", partition_key="d1", definition_metadata=PARTITIONED)


def test_wrong_type_names_asset_and_type(manager: SQLTableIOManager) -> None:
    with pytest.raises(IOManagerError, match="asset 'orders': it returned a list.*DataFrame"):
        store(manager, "orders", [1, 2])


@pytest.mark.parametrize("prefix", ["main", "TEMP"])
def test_sqlite_reserved_schema_names_are_refused(manager: SQLTableIOManager, prefix: str) -> None:
    with pytest.raises(IOManagerError, match=f"asset '{prefix}/orders'.*another key prefix"):
        store(manager, f"{prefix}/orders", FRAME)


def test_in_memory_sqlite_is_refused_with_the_reason() -> None:
    manager = SQLTableIOManager(url="sqlite://")
    with pytest.raises(IOManagerError, match="asset 'orders'.*database file path"):
        store(manager, "orders", FRAME)


def test_storage_uri_never_contains_credentials() -> None:
    manager = SQLTableIOManager(url="postgresql://user:s3cret@db.example.com:5432/wh?sslmode=x")
    assert manager.storage_uri(AssetKey(["sales", "orders"])) == (
        "postgresql://db.example.com:5432/wh/sales.orders"
    )
    assert manager.storage_uri(AssetKey("orders")) == "postgresql://db.example.com:5432/wh/orders"


def test_default_url_is_a_sqlite_file_in_the_default_storage_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = SQLTableIOManager()
    monkeypatch.setenv("ASSET2AIRFLOW_STORAGE_DIR", str(tmp_path / "storage"))
    assert manager.storage_uri(AssetKey("orders")) == (
        f"sqlite:///{tmp_path}/storage/asset2airflow.db/orders"
    )
    store(manager, "orders", FRAME)
    assert (tmp_path / "storage" / "asset2airflow.db").is_file()
    pd.testing.assert_frame_equal(load(manager, "orders"), FRAME)


def test_env_var_url_is_read_at_run_time(db_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("A2A_TEST_DB_URL", raising=False)
    manager = SQLTableIOManager(url=EnvVar("A2A_TEST_DB_URL"))
    assert manager.storage_uri(AssetKey("orders")) is None
    with pytest.raises(EnvVarNotSetError, match="'A2A_TEST_DB_URL'.*SQLTableIOManager.url"):
        store(manager, "orders", FRAME)
    monkeypatch.setenv("A2A_TEST_DB_URL", f"sqlite:///{db_dir / 'env.db'}")
    store(manager, "orders", FRAME)
    assert (db_dir / "env.db").is_file()
    pd.testing.assert_frame_equal(load(manager, "orders"), FRAME)
