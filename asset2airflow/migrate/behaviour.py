"""``migrate --check --run``: run the original DAG and the generated one with ``dag.test()`` at
the same logical date and compare what each task did (final state, returned XCom).

Each file runs alone in a temporary dags folder (``dag.test()`` only runs DAGs of the
configured dags folder, and the two files define the same dag id), against the Airflow
metadata DB of ``AIRFLOW_HOME``. When neither run succeeds (a missing connection, no network)
the comparison is inconclusive, and says which tasks failed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from asset2airflow.migrate.compare import Difference, show


@dataclass(frozen=True)
class RunOutcome:
    """What a ``dag.test()`` run did: its state, each task's state and return value XCom (a
    mapped task's: the list of its map indexes' values, what a downstream task reads)."""

    state: str
    tasks: dict[str, str]
    values: dict[str, Any]

    @property
    def failed(self) -> list[str]:
        return sorted(t for t, s in self.tasks.items() if "failed" in s)


def outcome_of(run: Any) -> RunOutcome:
    """The ``RunOutcome`` of a finished DagRun, read from the metadata DB."""
    from airflow.models import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(TaskInstance).filter_by(dag_id=run.dag_id, run_id=run.run_id)
        states: dict[str, set[str]] = {}
        for ti in rows:  # a mapped task: one instance per map index
            states.setdefault(ti.task_id, set()).add(str(getattr(ti.state, "value", ti.state)))
        xcoms = session.query(XComModel).filter_by(
            dag_id=run.dag_id, run_id=run.run_id, key="return_value"
        )
        items: dict[str, dict[int, Any]] = {}
        for row in xcoms:
            items.setdefault(row.task_id, {})[row.map_index] = XComModel.deserialize_value(row)
    values = {
        task: found[-1] if set(found) == {-1} else [found[i] for i in sorted(found)]
        for task, found in items.items()
    }
    tasks = {task: "/".join(sorted(s)) for task, s in states.items()}
    return RunOutcome(str(getattr(run.state, "value", run.state)), tasks, values)


@contextlib.contextmanager
def _dags_folder() -> Iterator[Path]:
    """A temporary, empty dags folder, configured while the block runs (Airflow's settings
    keep the folder read at import; the dags-folder bundle reads it from there)."""
    from airflow import settings

    previous = os.environ.get("AIRFLOW__CORE__DAGS_FOLDER"), settings.DAGS_FOLDER
    with tempfile.TemporaryDirectory(prefix="asset2airflow-check-") as folder:
        os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = settings.DAGS_FOLDER = folder
        try:
            yield Path(folder)
        finally:
            settings.DAGS_FOLDER = previous[1]
            if previous[0] is None:
                os.environ.pop("AIRFLOW__CORE__DAGS_FOLDER", None)
            else:
                os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = previous[0]


def run_file(path: Path, dag_id: str, logical_date: datetime | None) -> RunOutcome:
    """Run DAG ``dag_id`` of ``path`` once with ``dag.test()`` (files next to it, such as a
    kept original for fallback tasks, are copied along)."""
    from asset2airflow.migrate.generate import load_dag_file

    with _dags_folder() as folder:
        target = folder / path.name
        shutil.copyfile(path, target)
        for original in path.parent.glob("*.py.original"):
            shutil.copyfile(original, folder / original.name)
        dags, errors = load_dag_file(target)
        if errors:
            raise RuntimeError(f"{path.name} does not load: {next(iter(errors.values()))}")
        dag = dags[dag_id]
        run = dag.test(logical_date=logical_date) if logical_date else dag.test()
        return outcome_of(run)


def logical_date_for(dag: Any, given: datetime | None) -> datetime | None:
    """The logical date to run at: the one given, else the DAG's start date (inside its window
    even when it has an end date), else none (a manual run now)."""
    return given or getattr(dag, "start_date", None)


def compare_runs(original: RunOutcome, generated: RunOutcome) -> list[Difference]:
    """Each task whose final state or returned value differs between the two runs."""
    found = []
    if original.state != generated.state:
        found.append(Difference(None, "run state", show(original.state), show(generated.state)))
    for task_id in sorted(original.tasks.keys() | generated.tasks.keys()):
        a, b = original.tasks.get(task_id), generated.tasks.get(task_id)
        if a != b:
            found.append(Difference(task_id, "run state", show(a), show(b)))
        a, b = original.values.get(task_id), generated.values.get(task_id)
        if _differs(a, b):
            found.append(Difference(task_id, "run value", show(a), show(b)))
    return found


def _differs(a: Any, b: Any) -> bool:
    try:
        return bool(a != b)
    except Exception:
        return repr(a) != repr(b)


def inconclusive(original: RunOutcome, generated: RunOutcome) -> str | None:
    """Why the runs cannot be compared (neither succeeded), or ``None``."""
    if original.state == "success" or generated.state == "success":
        return None
    return (
        f"neither run succeeded (original: failed tasks {original.failed}; generated: failed "
        f"tasks {generated.failed}); check connections, variables and network, or give "
        "--logical-date"
    )
