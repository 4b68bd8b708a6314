"""``migrate --check --run``: both DAGs run with dag.test() at the same logical date, and each
task's final state and returned value are compared; a generated module that runs differently
fails the check, naming the task."""

from __future__ import annotations

from pathlib import Path

import pytest

from asset2airflow.cli.main import main
from tests.migrate.conftest import DAGS

pytestmark = pytest.mark.integration


def test_check_run_compares_what_each_task_did(
    tmp_path: Path, airflow_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = DAGS / "gates.py"
    assert main(["migrate", str(original), "--out", str(tmp_path), "--dag-id", "gates"]) == 0
    generated = tmp_path / "gates.py"
    capsys.readouterr()
    assert main(["migrate", "--check", "--run", str(original), str(generated)]) == 0
    printed = capsys.readouterr().out
    assert "task states and returned values (3 tasks)" in printed
    # Same graph and settings, different behaviour: only the run shows it.
    edited = generated.read_text().replace(
        "ignore_downstream_trigger_rules=False", "ignore_downstream_trigger_rules=True"
    )
    generated.write_text(edited)
    assert main(["migrate", "--check", str(original), str(generated)]) == 0
    capsys.readouterr()
    argv = ["migrate", "--check", "--run", "--logical-date", "2024-02-01"]
    assert main([*argv, str(original), str(generated)]) == 1
    printed = capsys.readouterr().out
    assert "task 'cleanup' run state: 'success' -> 'skipped'" in printed
