"""Helpers for migration tests: DAG files of ``tests/migrate/dags``, runs compared task by
task between an original DAG and its generated asset module."""

from __future__ import annotations

import ast
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from asset2airflow.migrate.behaviour import RunOutcome, outcome_of

DAGS = Path(__file__).parent / "dags"


def run_dag(dag: Any) -> RunOutcome:
    """``dag.test()`` of ``dag`` (its file in the dags folder) and what its tasks did."""
    return outcome_of(dag.test())


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
