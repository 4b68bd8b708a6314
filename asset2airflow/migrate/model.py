"""What a migration decided, as plain data: per task, which asset it became and how its code
runs; per DAG, the ``DAG(...)`` arguments kept; and the report of what was translated and what
fell back (printed by ``asset2airflow migrate``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from asset2airflow.authoring.airflow_options import AirflowAssetRef
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.migrate.namespace import ModuleNamespace


class TaskKind(enum.Enum):
    """How a task's work is carried over."""

    PYTHON = "Python callable"
    """A TaskFlow function or ``PythonOperator`` callable, copied and called by the asset."""
    DECORATED = "decorated function"
    """A ``@task.<kind>`` function (bash, branch...): copied and run by the same decorator."""
    OPERATOR = "operator-backed"
    """Any other operator: the asset runs the original class with the original arguments."""
    MAPPED = "mapped, runs its items in one task"
    """Dynamic task mapping: fallback, the map items run one after another in one task."""
    ORIGINAL = "runs the original task"
    """Fallback for code that cannot be copied: the task of a kept copy of the DAG file."""


@dataclass(frozen=True)
class Note:
    """One line of the migration report. ``difference``: the generated DAG differs from the
    original in ``field`` (``--check`` lists such differences as expected)."""

    task_id: str | None
    message: str
    difference: bool = False
    field: str | None = None
    """The ``compare`` field this note explains (``"mapped"``, ``"setup"``...)."""

    def __str__(self) -> str:
        where = f"task {self.task_id!r}" if self.task_id else "DAG"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class TaskMigration:
    """One task as one asset step (several assets when the task has several outlets)."""

    task_id: str
    kind: TaskKind
    operator: str
    keys: tuple[AssetKey, ...]
    node_name: str
    inputs: tuple[tuple[str, AssetKey], ...]
    deps: tuple[AssetKey, ...]
    body: tuple[str, ...]
    comment: str
    arguments: tuple[tuple[str, str], ...] = ()
    pinned: tuple[tuple[AssetKey, AirflowAssetRef], ...] = ()


@dataclass(eq=False)
class DagMigration:
    """A DAG's asset module before it is written: its tasks, the ``DAG(...)`` arguments kept,
    the names (imports, copied code) of the module, and the report."""

    dag_id: str
    source: Path
    group: str
    dag_arguments: tuple[tuple[str, str], ...]
    tasks: tuple[TaskMigration, ...]
    namespace: ModuleNamespace
    notes: list[Note] = field(default_factory=list)
    original_copy: str | None = None
    """File name the original DAG file must be kept under, next to the module (fallbacks)."""

    @property
    def differences(self) -> list[Note]:
        return [n for n in self.notes if n.difference]
