"""Parallel Airflow tasks writing to the default SQLite database of SQLTableIOManager at the same
moment (real processes): none fails with "database is locked", and two writers of one asset
leave one complete value, never a mix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from asset2airflow.authoring.io_manager import build_input_context
from asset2airflow.io import SQLTableIOManager

WRITER = Path(__file__).with_name("_parallel_writer.py")
REPO = Path(__file__).resolve().parents[2]
ROWS = 400_000  # about a second per write, so writers really overlap and queue


def test_parallel_writers_all_succeed_and_each_asset_is_complete(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'asset2airflow.db'}"
    start = tmp_path / "go"
    writers = [("a", "a"), ("b", "b"), ("sales/c", "c"), ("sales/d", "d"), ("same", "x")]
    writers.append(("same", "y"))
    path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    processes = [
        subprocess.Popen(
            [sys.executable, str(WRITER), url, key, tag, str(ROWS), str(start)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for key, tag in writers
    ]
    start.touch()  # every writer starts its write at the same moment
    errors = []
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        if process.returncode != 0:
            errors.append(stderr[-2000:])
    assert errors == []
    manager = SQLTableIOManager(url=url)
    for key, tag in writers[:4]:
        frame = manager.load_input(build_input_context(key))
        assert len(frame) == ROWS and set(frame["tag"]) == {tag}, key
    same = manager.load_input(build_input_context("same"))
    assert len(same) == ROWS and set(same["tag"]) in ({"x"}, {"y"})
