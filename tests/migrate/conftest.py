"""Helpers for migration tests: DAG files of ``tests/migrate/dags``, runs compared task by
task between an original DAG and its generated asset module."""

from __future__ import annotations

import ast
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

DAGS = Path(__file__).parent / "dags"


@dataclass
class RunOutcome:
    """What a ``dag.test()`` run did: its state, each task's state and return value XCom."""

    state: str
    tasks: dict[str, str]
    values: dict[str, Any]


def run_dag(dag: Any) -> RunOutcome:
    from airflow.models import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    run = dag.test()
    with create_session() as session:
        rows = session.query(TaskInstance).filter_by(dag_id=run.dag_id, run_id=run.run_id)
        states: dict[str, set[str]] = {}
        for ti in rows:  # a mapped task: one instance per map index, all in one state
            states.setdefault(ti.task_id, set()).add(str(getattr(ti.state, "value", ti.state)))
        xcoms = session.query(XComModel).filter_by(
            dag_id=run.dag_id, run_id=run.run_id, key="return_value"
        )
        items: dict[str, dict[int, Any]] = {}
        for row in xcoms:
            items.setdefault(row.task_id, {})[row.map_index] = XComModel.deserialize_value(row)
    # A mapped task's value is the list of its map indexes' values (what a downstream reads).
    values = {
        task: found[-1] if set(found) == {-1} else [found[i] for i in sorted(found)]
        for task, found in items.items()
    }
    tasks = {task: "/".join(sorted(s)) for task, s in states.items()}
    return RunOutcome(str(getattr(run.state, "value", run.state)), tasks, values)


def private_airflow_imports(source: str) -> list[str]:
    """``module.name`` of each private Airflow name the module imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("airflow"):
            found += [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("airflow")]
    return [n for n in found if any(part.startswith("_") for part in n.split("."))]


@pytest.fixture
def in_dags_folder(dags_folder: Path) -> Iterator[Callable[..., dict[str, Any]]]:
    """Put files into Airflow's dags folder (``dag.test()`` parses the whole folder) and load
    one of them with a DagBag; everything put there is removed after the test."""
    from asset2airflow.migrate.generate import load_dag_file

    placed: list[Path] = []

    def place(source: Path, *companions: Path, name: str | None = None) -> dict[str, Any]:
        for path in placed:
            path.unlink(missing_ok=True)
        placed.clear()
        target = dags_folder / (name or source.name)
        shutil.copyfile(source, target)
        placed.append(target)
        for companion in companions:
            placed.append(dags_folder / companion.name)
            shutil.copyfile(companion, placed[-1])
        dags, errors = load_dag_file(target)
        assert not errors, errors
        return dags

    yield place
    for path in placed:
        path.unlink(missing_ok=True)
