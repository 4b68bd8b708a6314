"""Two different asset keys (or partitions) never share storage, for every built-in IO manager,
with the keys users really write: separators, prefixes, case, hostile partition keys. Real files
and a real SQLite database."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from asset2airflow.authoring.io_manager import (
    IOManager,
    build_input_context,
    build_output_context,
)
from asset2airflow.errors import IOManagerError, PartitionError
from asset2airflow.io import FilesystemIOManager, ParquetIOManager, SQLTableIOManager

Factory = Callable[[Path], IOManager]
MANAGERS: dict[str, Factory] = {
    "filesystem": lambda root: FilesystemIOManager(base_dir=str(root / "store")),
    "parquet": lambda root: ParquetIOManager(base_dir=str(root / "store")),
    "sql": lambda root: SQLTableIOManager(url=f"sqlite:///{root / 'warehouse.db'}"),
}
PARTITION_META = {"partition_expr": "part"}


@pytest.fixture(params=sorted(MANAGERS))
def manager(request: pytest.FixtureRequest, tmp_path: Path) -> IOManager:
    return MANAGERS[request.param](tmp_path)


def frame(tag: str) -> pd.DataFrame:
    return pd.DataFrame({"who": [tag, tag]})


def store(manager: IOManager, key: Any, value: pd.DataFrame, partition: str | None = None) -> None:
    meta = PARTITION_META if partition is not None else None
    context = build_output_context(key, partition_key=partition, definition_metadata=meta)
    manager.handle_output(context, value)


def load(manager: IOManager, key: Any, partition: str | None = None) -> list[str]:
    meta = PARTITION_META if partition is not None else None
    context = build_input_context(key, partition_key=partition, upstream_definition_metadata=meta)
    return list(manager.load_input(context)["who"])


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (["s", "t", "x"], ["s_t", "x"]),
        (["a", "b"], ["a_b"]),
        (["a", "b"], ["a__b"]),
        (["a-b", "c"], ["a", "b-c"]),
        (["sales"], ["sales", "orders"]),
        (["sales", "orders"], ["sales"]),
    ],
    ids=lambda key: "/".join(key),
)
def test_keys_that_differ_only_in_separators_keep_their_own_values(
    manager: IOManager, first: list[str], second: list[str]
) -> None:
    store(manager, first, frame("first"))
    store(manager, second, frame("second"))
    assert load(manager, first) == ["first", "first"]
    assert load(manager, second) == ["second", "second"]


def test_a_partition_never_lands_on_another_asset(manager: IOManager) -> None:
    store(manager, ["sales", "orders"], frame("orders asset"))
    store(manager, ["sales"], frame("sales partition"), partition="orders")
    store(manager, ["sales"], frame("other partition"), partition="eu")
    assert load(manager, ["sales", "orders"]) == ["orders asset"] * 2
    assert load(manager, ["sales"], partition="orders") == ["sales partition"] * 2


HOSTILE_KEYS = [
    "../victim",
    "..",
    ".",
    "a/b",
    "%2F",
    "/",
    "a\\b",
    "x" * 1000,
    "x" * 999 + "y",
    "région-été",
    "2024-01-01T00:00:00+00:00",
    "a|b",
    "nul\x00byte",
]


@pytest.mark.parametrize("kind", ["filesystem", "parquet"])
def test_hostile_partition_keys_stay_inside_the_assets_own_folder(
    tmp_path: Path, kind: str
) -> None:
    manager = MANAGERS[kind](tmp_path)
    store(manager, ["victim"], frame("victim"))
    for index, key in enumerate(HOSTILE_KEYS):
        store(manager, ["events"], frame(f"p{index}"), partition=key)
    for index, key in enumerate(HOSTILE_KEYS):
        assert load(manager, ["events"], partition=key) == [f"p{index}"] * 2, key
    assert load(manager, ["victim"]) == ["victim", "victim"]
    base = tmp_path / "store"
    assert sorted(os.listdir(base)) == sorted(
        ["events.partitions", next(n for n in os.listdir(base) if n.startswith("victim"))]
    )
    partitions = os.listdir(base / "events.partitions")
    assert len(partitions) == len(HOSTILE_KEYS)
    assert all(len(name.encode()) <= 255 and "/" not in name for name in partitions)


def test_hostile_partition_keys_are_plain_values_in_sql(tmp_path: Path) -> None:
    manager = MANAGERS["sql"](tmp_path)
    for index, key in enumerate([*HOSTILE_KEYS[:-1], "'; DROP TABLE events; --"]):
        store(manager, ["events"], frame(f"p{index}"), partition=key)
        assert load(manager, ["events"], partition=key) == [f"p{index}"] * 2


def test_the_empty_partition_key_is_rejected_naming_the_asset(manager: IOManager) -> None:
    with pytest.raises(PartitionError, match="asset 'events'.*non-empty"):
        store(manager, ["events"], frame("x"), partition="")


def test_sql_tables_that_differ_only_in_case_are_refused_naming_both_assets(
    tmp_path: Path,
) -> None:
    manager = MANAGERS["sql"](tmp_path)
    store(manager, ["Orders"], frame("upper"))
    with pytest.raises(IOManagerError, match="asset 'orders'.*already holds asset 'Orders'"):
        store(manager, ["orders"], frame("lower"))
    with pytest.raises(IOManagerError, match="asset 'orders'.*already holds asset 'Orders'"):
        load(manager, ["orders"])
    assert load(manager, ["Orders"]) == ["upper", "upper"]  # the refused write changed nothing


def test_sql_names_longer_than_databases_keep_are_refused(tmp_path: Path) -> None:
    manager = MANAGERS["sql"](tmp_path)
    with pytest.raises(IOManagerError, match="longer than the 63 bytes.*shorter name"):
        store(manager, ["t" * 64], frame("x"))
    store(manager, ["t" * 63], frame("ok"))
    assert load(manager, ["t" * 63]) == ["ok", "ok"]


@pytest.mark.parametrize("kind", ["filesystem", "parquet"])
def test_a_damaged_stored_value_names_the_asset_and_the_path(tmp_path: Path, kind: str) -> None:
    manager = MANAGERS[kind](tmp_path)
    store(manager, ["sales", "raw"], frame("v1"))
    [path] = (tmp_path / "store" / "sales").iterdir()
    path.write_bytes(path.read_bytes()[:20])  # truncated, as by a full disk or a bad copy
    with pytest.raises(IOManagerError) as raised:
        load(manager, ["sales", "raw"])
    message = str(raised.value)
    assert "asset 'sales/raw'" in message and str(path) in message
    assert "Re-materialize 'sales/raw'" in message
