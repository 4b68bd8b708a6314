"""A writer killed with SIGKILL (a real subprocess) in the middle of a write leaves the previous
value readable and nothing partial at the final path; ``atomic_write`` cleans up after errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from asset2airflow.authoring.io_manager import build_input_context, build_output_context
from asset2airflow.io import FilesystemIOManager, ParquetIOManager, SQLTableIOManager
from asset2airflow.io.atomic import atomic_write

WRITER = Path(__file__).with_name("_writer_process.py")
REPO = Path(__file__).resolve().parents[2]


def kill_mid_write(
    args: list[str], in_progress: Callable[[], bool], delay: float = 0.0, startup: float = 8
) -> None:
    """Start the writer, wait (up to ``startup`` s) until its write is visibly in progress,
    SIGKILL it."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    process = subprocess.Popen([sys.executable, str(WRITER), *args], env=env)
    try:
        deadline = time.monotonic() + startup
        while not in_progress():
            assert process.poll() is None, "the writer ended before its write was seen"
            assert time.monotonic() < deadline, "the writer's write never started"
            time.sleep(0.002)
        time.sleep(delay)
        assert process.poll() is None, "the writer finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL


def temp_files(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.name.startswith(".") and ".tmp-" in p.name]


def writing_temp_file(directory: Path) -> Callable[[], bool]:
    """True once a hidden temp file with some content sits in ``directory``."""

    def started() -> bool:
        try:
            return any(p.stat().st_size > 0 for p in temp_files(directory))
        except FileNotFoundError:  # the directory or the temp file is just being created
            return False

    return started


def visible_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))


def test_filesystem_kill_mid_write_keeps_previous_value(tmp_path: Path) -> None:
    store = tmp_path / "store"
    manager = FilesystemIOManager(base_dir=str(store))
    manager.handle_output(build_output_context("victim"), {"version": 1})
    kill_mid_write(["filesystem", str(store), "victim"], writing_temp_file(store))
    assert manager.load_input(build_input_context("victim")) == {"version": 1}
    assert visible_files(store) == ["victim.pickle"]
    assert len(temp_files(store)) == 1  # the killed writer's, never renamed into place


def test_parquet_kill_mid_write_keeps_previous_value(tmp_path: Path) -> None:
    manager = ParquetIOManager(base_dir=str(tmp_path / "store"))
    v1 = pd.DataFrame({"x": [0.5, 1.5], "n": [1, 2]})
    manager.handle_output(build_output_context(["sales", "victim"]), v1)
    directory = tmp_path / "store" / "sales"
    kill_mid_write(
        ["parquet", str(tmp_path / "store"), "sales/victim"], writing_temp_file(directory)
    )
    pd.testing.assert_frame_equal(manager.load_input(build_input_context("sales/victim")), v1)
    assert visible_files(directory) == ["victim.parquet"]
    assert len(temp_files(directory)) == 1


@pytest.mark.parametrize("delay", [0.0, 0.4], ids=["at-first-write", "mid-insert"])
@pytest.mark.parametrize("key", ["victim", "sales/victim"], ids=["default-schema", "schema"])
def test_sql_kill_mid_transaction_keeps_previous_table(
    tmp_path: Path, key: str, delay: float
) -> None:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    manager = SQLTableIOManager(url=url)
    v1 = pd.DataFrame({"n": [1, 2], "s": ["a", "b"]})
    manager.handle_output(build_output_context(key), v1)
    database = "warehouse.sales.db" if "/" in key else "warehouse.db"
    journal = tmp_path / f"{database}-journal"  # exists while a write transaction is open
    kill_mid_write(["sql", url, key], journal.exists, delay)
    assert journal.exists()  # a hot journal: the transaction was cut off, not committed
    pd.testing.assert_frame_equal(manager.load_input(build_input_context(key)), v1)


def test_atomic_write_failure_keeps_previous_content_and_removes_temp(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "value"
    atomic_write(target, lambda tmp: tmp.write_bytes(b"v1"))
    seen: list[Path] = []

    def failing(tmp: Path) -> None:
        seen.append(tmp)
        tmp.write_bytes(b"partial")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        atomic_write(target, failing)
    assert target.read_bytes() == b"v1"
    [tmp] = seen
    assert tmp.parent == target.parent and tmp.name.startswith(".value.tmp-")
    assert f"-{os.getpid()}-" in tmp.name
    assert not tmp.exists() and os.listdir(target.parent) == ["value"]
