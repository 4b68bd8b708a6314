"""FilesystemIOManager, default_storage_dir and default_io_manager, on real files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from asset2airflow.authoring.config import EnvVar
from asset2airflow.authoring.io_manager import build_input_context, build_output_context
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.errors import EnvVarNotSetError, IOManagerError, MissingUpstreamValueError
from asset2airflow.io import FilesystemIOManager, default_io_manager, default_storage_dir


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """An empty directory of its own (``tmp_path`` also holds the isolated ASSET2AIRFLOW_HOME)."""
    return tmp_path / "store"


def store(manager: FilesystemIOManager, key: str, value: Any, **kwargs: Any) -> dict[str, Any]:
    context = build_output_context(key, **kwargs)
    manager.handle_output(context, value)
    return {name: entry.value for name, entry in context.output_metadata.items()}


def load(manager: FilesystemIOManager, key: str, **kwargs: Any) -> Any:
    return manager.load_input(build_input_context(key, **kwargs))


def test_round_trip_with_key_prefix_layout_and_path_metadata(base: Path) -> None:
    manager = FilesystemIOManager(base_dir=str(base))
    metadata = store(manager, "sales/raw", {"rows": [1, 2, 3]})
    assert (base / "sales" / "raw.pickle").is_file()
    assert metadata == {"path": str(base / "sales" / "raw.pickle")}
    assert load(manager, "sales/raw") == {"rows": [1, 2, 3]}


def test_second_write_replaces_the_value_and_leaves_no_temp_files(base: Path) -> None:
    manager = FilesystemIOManager(base_dir=str(base))
    store(manager, "counter", 1)
    store(manager, "counter", 2)
    assert load(manager, "counter") == 2
    assert os.listdir(base) == ["counter.pickle"]


def test_partitions_are_separate_files_under_the_key(base: Path) -> None:
    manager = FilesystemIOManager(base_dir=str(base))
    store(manager, "sales/daily", [1], partition_key="2026-11-01")
    store(manager, "sales/daily", [2], partition_key="2026-11-02")
    partitions = base / "sales" / "daily.partitions"
    assert sorted(os.listdir(partitions)) == ["2026-11-01.pickle", "2026-11-02.pickle"]
    assert load(manager, "sales/daily", partition_key="2026-11-01") == [1]
    assert load(manager, "sales/daily", partition_key="2026-11-02") == [2]


def test_missing_value_names_asset_path_and_what_to_do(base: Path) -> None:
    manager = FilesystemIOManager(base_dir=str(base))
    with pytest.raises(MissingUpstreamValueError) as info:
        load(manager, "sales/raw")
    message = str(info.value)
    assert "'sales/raw'" in message and str(base / "sales" / "raw.pickle") in message
    assert "materialize 'sales/raw' first" in message


def test_missing_partition_names_the_partition(base: Path) -> None:
    manager = FilesystemIOManager(base_dir=str(base))
    store(manager, "daily", 1, partition_key="2026-11-01")
    with pytest.raises(MissingUpstreamValueError, match="partition '2026-11-02' of asset 'daily'"):
        load(manager, "daily", partition_key="2026-11-02")


def test_unpicklable_value_names_the_asset_and_keeps_previous_value(base: Path) -> None:
    manager = FilesystemIOManager(base_dir=str(base))
    store(manager, "gen", [1])
    with pytest.raises(IOManagerError, match="cannot pickle the generator returned by asset 'gen'"):
        store(manager, "gen", (i for i in range(3)))
    assert load(manager, "gen") == [1]
    assert os.listdir(base) == ["gen.pickle"]


def test_storage_uri_is_an_absolute_file_uri_without_io(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASSET2AIRFLOW_HOME")
    manager = FilesystemIOManager(base_dir="relative/store")
    uri = manager.storage_uri(AssetKey(["sales", "raw"]))
    assert uri == f"file://{tmp_path}/relative/store/sales/raw.pickle"
    assert not (tmp_path / "relative").exists()


def test_relative_base_dir_is_under_asset2airflow_home_whatever_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dag processor (computing the asset URI) and each worker (writing) run in different
    directories; with ASSET2AIRFLOW_HOME set they resolve a relative base_dir the same way."""
    monkeypatch.setenv("ASSET2AIRFLOW_HOME", str(tmp_path / "home"))
    manager = FilesystemIOManager(base_dir="relative/store")
    uris = set()
    for cwd in ("processor", "worker"):
        (tmp_path / cwd).mkdir()
        monkeypatch.chdir(tmp_path / cwd)
        uris.add(manager.storage_uri(AssetKey("raw")))
        store(manager, "raw", cwd)
    assert uris == {f"file://{tmp_path}/home/relative/store/raw.pickle"}
    assert load(manager, "raw") == "worker"


def test_env_var_base_dir_is_read_at_run_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("A2A_TEST_DATA_DIR", raising=False)
    manager = FilesystemIOManager(base_dir=EnvVar("A2A_TEST_DATA_DIR"))
    assert manager.storage_uri(AssetKey("x")) is None
    monkeypatch.setenv("A2A_TEST_DATA_DIR", str(tmp_path / "first"))
    store(manager, "x", 1)
    monkeypatch.setenv("A2A_TEST_DATA_DIR", str(tmp_path / "second"))
    store(manager, "x", 2)
    assert (tmp_path / "first" / "x.pickle").is_file() and load(manager, "x") == 2


def test_unset_env_var_base_dir_names_the_variable_and_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("A2A_TEST_DATA_DIR", raising=False)
    manager = FilesystemIOManager(base_dir=EnvVar("A2A_TEST_DATA_DIR"))
    with pytest.raises(
        EnvVarNotSetError, match="'A2A_TEST_DATA_DIR'.*FilesystemIOManager.base_dir"
    ):
        store(manager, "x", 1)
    with pytest.raises(EnvVarNotSetError):
        load(manager, "x")


def test_default_storage_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSET2AIRFLOW_STORAGE_DIR", raising=False)
    monkeypatch.delenv("ASSET2AIRFLOW_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert default_storage_dir() == tmp_path / "user" / ".asset2airflow" / "storage"
    monkeypatch.setenv("ASSET2AIRFLOW_HOME", str(tmp_path / "home"))
    assert default_storage_dir() == tmp_path / "home" / "storage"
    monkeypatch.setenv("ASSET2AIRFLOW_STORAGE_DIR", str(tmp_path / "explicit"))
    assert default_storage_dir() == tmp_path / "explicit"
    assert not any(tmp_path.glob("*/*"))  # pure: nothing was created


def test_default_io_manager_stores_under_the_default_dir_read_at_run_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = default_io_manager()
    assert isinstance(manager, FilesystemIOManager) and manager.base_dir is None
    monkeypatch.setenv("ASSET2AIRFLOW_STORAGE_DIR", str(tmp_path / "storage"))
    store(manager, "sales/raw", "value")
    assert (tmp_path / "storage" / "sales" / "raw.pickle").is_file()
    assert manager.storage_uri(AssetKey(["sales", "raw"])) == (
        f"file://{tmp_path}/storage/sales/raw.pickle"
    )


def test_storage_dir_settings_resolve_once_against_the_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ASSET2AIRFLOW_HOME", "rel-home")
    assert FilesystemIOManager().storage_uri(AssetKey("x")) == (
        f"file://{tmp_path}/rel-home/storage/x.pickle"
    )
    monkeypatch.setenv("ASSET2AIRFLOW_STORAGE_DIR", "shared")
    assert default_storage_dir() == tmp_path / "rel-home" / "shared"
    assert FilesystemIOManager().storage_uri(AssetKey("x")) == (
        f"file://{tmp_path}/rel-home/shared/x.pickle"
    )
