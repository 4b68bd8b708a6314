"""Generated modules are clean code: pyflakes-clean (ruff's F rules) for every DAG of the test
DAGs, names used only in annotations imported, no import left behind by a task that fell
back, and the same bytes on every migration (in separate processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from asset2airflow.migrate.generate import migrate_file
from tests.migrate.conftest import DAGS

pytestmark = pytest.mark.integration


def pyflakes_problems(folder: Path) -> list[str]:
    """ruff's F rules (pyflakes: unused and undefined names...) over the modules of ``folder``."""
    found = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", "F",
         "--output-format", "concise", str(folder)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return [line for line in found.stdout.splitlines() if line.startswith(str(folder))]


def test_names_used_only_in_annotations_are_imported(tmp_path: Path) -> None:
    [result] = migrate_file(DAGS / "typed.py", tmp_path)
    assert "from typing import Dict" in result.source
    assert "from airflow.sdk import Context" in result.source
    assert pyflakes_problems(tmp_path) == []


def test_a_fallback_leaves_no_unused_import(tmp_path: Path) -> None:
    [result] = migrate_file(DAGS / "fallback.py", tmp_path)
    assert "run_original_task" in result.source
    assert pyflakes_problems(tmp_path) == []


_MIGRATE_ALL = """
import sys
from pathlib import Path
from asset2airflow.migrate.generate import migrate_file
for path in sorted(Path(sys.argv[1]).glob("*.py")):
    migrate_file(path, Path(sys.argv[2]) / path.stem)
"""


def test_every_test_dag_migrates_to_the_same_clean_bytes(tmp_path: Path) -> None:
    outs = [tmp_path / "first", tmp_path / "second"]
    for seed, out in zip(("1", "2"), outs, strict=True):
        env = {**os.environ, "PYTHONHASHSEED": seed, "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR"}
        subprocess.run(
            [sys.executable, "-c", _MIGRATE_ALL, str(DAGS), str(out)], env=env, check=True
        )
    first = {p.relative_to(outs[0]): p.read_bytes() for p in outs[0].rglob("*.py")}
    second = {p.relative_to(outs[1]): p.read_bytes() for p in outs[1].rglob("*.py")}
    assert len(first) >= len(list(DAGS.glob("*.py")))
    assert first == second
    assert pyflakes_problems(outs[0]) == []
