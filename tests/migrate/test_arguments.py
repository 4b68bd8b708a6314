"""Every argument the DAG file wrote survives the migration, falsy ones included; operators
are imported by their public names; tasks of @task decorators other than plain @task run
through the same decorator. Proved with dag.test() runs of the original and migrated DAGs."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asset2airflow.migrate.generate import MigratedDag, migrate_file
from tests.migrate.conftest import DAGS, RunOutcome, private_airflow_imports, run_dag

pytestmark = pytest.mark.integration

Place = Callable[..., dict[str, Any]]


def _migrated(name: str, out: Path) -> dict[str, MigratedDag]:
    return {r.migration.dag_id: r for r in migrate_file(DAGS / name, out)}


def _both(result: MigratedDag, place: Place) -> tuple[RunOutcome, RunOutcome]:
    dag_id = result.migration.dag_id
    before = run_dag(place(result.migration.source)[dag_id])
    after = run_dag(place(result.path, name=f"{dag_id}_assets.py")[dag_id])
    return before, after


def _imports(source: str) -> list[str]:
    return re.findall(r"^(?:from|import) .*$", source, flags=re.MULTILINE)


def test_an_explicit_false_short_circuit_setting_keeps_all_done_tasks_running(
    tmp_path: Path, in_dags_folder: Place
) -> None:
    result = _migrated("gates.py", tmp_path)["gates"]
    before, after = _both(result, in_dags_folder)
    assert before.tasks == {"gate": "success", "skipped": "skipped", "cleanup": "success"}
    assert after.tasks == before.tasks
    assert "ignore_downstream_trigger_rules=False" in result.source


def test_every_written_argument_is_kept_and_operators_are_imported(tmp_path: Path) -> None:
    migrated = _migrated("gates.py", tmp_path)
    venv = migrated["isolated"].source
    assert "system_site_packages=False" in venv
    assert "run_operator(\n        PythonVirtualenvOperator,\n" in venv  # a class, not a string
    assert (
        "from airflow.providers.standard.operators.python import PythonVirtualenvOperator"
        in _imports(venv)
    )
    gates = migrated["gates"].source
    assert "run_operator(\n        ShortCircuitOperator,\n        python_callable=closed," in gates
    assert '"airflow.' not in gates + venv


def test_decorated_tasks_run_through_their_decorator(tmp_path: Path, in_dags_folder: Place) -> None:
    result = _migrated("decorated.py", tmp_path)["decorated"]
    before, after = _both(result, in_dags_folder)
    assert before.state == "success"
    assert after.tasks == before.tasks
    assert after.state == before.state
    assert after.tasks["cleanup"] == "success" and after.tasks["skipped"] == "skipped"
    assert after.tasks["right"] == "skipped"
    assert after.values["greet"] == before.values["greet"] == "hello, world"
    kinds = {t.task_id: t.kind.name for t in result.migration.tasks}
    assert {t for t, k in kinds.items() if k == "DECORATED"} == {"greet", "gate", "choose"}
    source = result.source
    assert (
        'run_decorated(task.bash(env={"GREETING": "hello"}, append_env=True), greet, who)' in source
    )
    assert private_airflow_imports(source) == []
