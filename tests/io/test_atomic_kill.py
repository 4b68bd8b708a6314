"""A writer killed (SIGKILL, for real) in the middle of a write leaves the previous value readable
and nothing partial at the final path."""

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

from asset2airflow import (
    FilesystemIOManager,
    IOManager,
    ParquetIOManager,
    SQLTableIOManager,
    build_input_context,
    build_output_context,
)

WRITER = Path(__file__).with_name("_writer_process.py")


def kill_mid_write(kind: str, target: str, started: Callable[[], bool], delay: float = 0.0) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen([sys.executable, str(WRITER), kind, target], env=env)
    try:
        deadline = time.monotonic() + 60
        while not started():
            assert process.poll() is None, "the writer finished before it could be killed"
            assert time.monotonic() < deadline, "the write never started"
            time.sleep(0.002)
        time.sleep(delay)
        assert process.poll() is None, "the writer finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL


def temp_file_in(directory: Path) -> Callable[[], bool]:
    return lambda: directory.exists() and any(".tmp-" in p.name for p in directory.iterdir())


def roundtrip_previous(manager: IOManager, value: object) -> None:
    manager.handle_output(build_output_context("victim"), value)


def test_filesystem_kill_keeps_previous_value(tmp_path: Path) -> None:
    manager = FilesystemIOManager(base_dir=str(tmp_path))
    roundtrip_previous(manager, {"version": 1})
    kill_mid_write("filesystem", str(tmp_path), temp_file_in(tmp_path))
    assert manager.load_input(build_input_context("victim")) == {"version": 1}


def test_parquet_kill_keeps_previous_value(tmp_path: Path) -> None:
    manager = ParquetIOManager(base_dir=str(tmp_path))
    roundtrip_previous(manager, pd.DataFrame({"n": [1, 2]}))
    kill_mid_write("parquet", str(tmp_path), temp_file_in(tmp_path))
    loaded = manager.load_input(build_input_context("victim"))
    assert loaded["n"].tolist() == [1, 2]
    assert (tmp_path / "victim.parquet").stat().st_size < 10_000


@pytest.mark.parametrize("delay", [0.0, 0.3])
def test_sql_kill_keeps_previous_table(tmp_path: Path, delay: float) -> None:
    db = tmp_path / "warehouse.db"
    url = f"sqlite:///{db}"
    manager = SQLTableIOManager(url=url)
    roundtrip_previous(manager, pd.DataFrame({"n": [1, 2], "s": ["a", "b"]}))
    journal = tmp_path / "warehouse.db-journal"
    kill_mid_write("sql", url, journal.exists, delay)
    loaded = manager.load_input(build_input_context("victim"))
    assert loaded.to_dict("list") == {"n": [1, 2], "s": ["a", "b"]}
