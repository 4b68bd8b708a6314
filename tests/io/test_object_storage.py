"""File IO managers on object storage: a ``base_dir`` URL is Airflow's ``ObjectStoragePath``
(here ``file://``, the scheme every Airflow has), with the same layout, URIs and all-or-nothing
writes as a local directory; Airflow is imported only when such a path is used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from asset2airflow.authoring.io_manager import build_input_context, build_output_context
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.errors import IOManagerError, MissingUpstreamValueError
from asset2airflow.io import FilesystemIOManager, ParquetIOManager
from tests.io.test_atomic_kill import kill_mid_write


def store(manager: Any, key: str, value: Any, **kwargs: Any) -> dict[str, Any]:
    context = build_output_context(key, **kwargs)
    manager.handle_output(context, value)
    return {name: entry.value for name, entry in context.output_metadata.items()}


def load(manager: Any, key: str, **kwargs: Any) -> Any:
    return manager.load_input(build_input_context(key, **kwargs))


def hidden(directory: Path) -> list[Path]:
    return [p for p in directory.rglob(".*") if ".tmp-" in p.name]


def test_pickles_round_trip_through_a_file_url(tmp_path: Path) -> None:
    base = tmp_path / "bucket"
    manager = FilesystemIOManager(base_dir=f"file://{base}")
    assert manager.storage_uri(AssetKey(["sales", "raw"])) == f"file://{base}/sales/raw.pickle"
    assert not base.exists()  # the URI needs no I/O

    metadata = store(manager, "sales/raw", {"rows": [1, 2, 3]})
    assert metadata == {"path": f"file://{base}/sales/raw.pickle"}
    assert (base / "sales" / "raw.pickle").is_file()
    assert load(manager, "sales/raw") == {"rows": [1, 2, 3]}
    store(manager, "sales/raw", {"rows": [4]})
    assert load(manager, "sales/raw") == {"rows": [4]}
    assert hidden(base) == []

    with pytest.raises(MissingUpstreamValueError, match=r"'sales/other'.*materialize"):
        load(manager, "sales/other")


def test_partitions_and_parquet_through_a_file_url(tmp_path: Path) -> None:
    base = tmp_path / "lake"
    manager = ParquetIOManager(base_dir=f"file://{base}")
    frame = pd.DataFrame({"region": ["eu"], "amount": [1.5]})
    metadata = store(manager, "orders", frame, partition_key="eu")
    assert metadata["path"] == f"file://{base}/orders.partitions/eu.parquet"
    assert metadata["row_count"] == 1
    loaded = load(manager, "orders", partition_key="eu")
    pd.testing.assert_frame_equal(loaded, frame)
    assert manager.storage_uri(AssetKey("orders")) == f"file://{base}/orders.parquet"


def test_a_failed_write_keeps_the_previous_object_and_leaves_no_temp(tmp_path: Path) -> None:
    base = tmp_path / "bucket"
    manager = FilesystemIOManager(base_dir=f"file://{base}")
    store(manager, "victim", {"version": 1})
    with pytest.raises(IOManagerError, match="cannot pickle"):
        store(manager, "victim", [b"x" * 1_000_000, lambda: None])
    assert load(manager, "victim") == {"version": 1}
    assert hidden(base) == []


def test_writer_killed_mid_write_leaves_the_previous_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, scratch = tmp_path / "bucket", tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))  # where the writer stages the value
    manager = FilesystemIOManager(base_dir=f"file://{base}")
    store(manager, "victim", {"version": 1})

    def staging() -> bool:
        return any(p.is_file() and p.stat().st_size > 0 for p in scratch.rglob("*"))

    # Importing Airflow (for ObjectStoragePath) takes the writer a few seconds.
    kill_mid_write(["filesystem", f"file://{base}", "victim"], staging, startup=60)
    assert load(manager, "victim") == {"version": 1}
    assert sorted(p.name for p in base.iterdir()) == ["victim.pickle"]


def test_airflow_is_imported_only_when_an_object_storage_path_is_used(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from asset2airflow.io import FilesystemIOManager\n"
        "from asset2airflow.authoring.io_manager import build_output_context\n"
        f"local = FilesystemIOManager(base_dir='{tmp_path}/a')\n"
        "local.handle_output(build_output_context('x'), 1)\n"
        "print('airflow' in sys.modules)\n"
        f"remote = FilesystemIOManager(base_dir='file://{tmp_path}/b')\n"
        "remote.handle_output(build_output_context('x'), 1)\n"
        "print('airflow' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_uris_leave_out_the_connection_id() -> None:
    from asset2airflow.io.object_storage import object_storage_path, uri_of

    path = object_storage_path("file://my_conn@/tmp/lake") / "orders.parquet"
    assert uri_of(path) == "file:///tmp/lake/orders.parquet"
