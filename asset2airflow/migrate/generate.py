"""``asset2airflow migrate DAG_FILE --out DIR``: load a DAG file with a real DagBag and write
one asset module per DAG (``<dag_id>.py``, a DAG file of its own), with the migration report."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asset2airflow.migrate.analyze import MigrationError, migrate_dag
from asset2airflow.migrate.model import DagMigration
from asset2airflow.migrate.module import render_module
from asset2airflow.migrate.source import OriginModule
from asset2airflow.migrate.written import recording


@dataclass(frozen=True)
class MigratedDag:
    """One DAG written as an asset module."""

    migration: DagMigration
    path: Path
    source: str


def load_dag_file(path: str | Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The DAGs of ``path`` by id and its import errors, from a real ``DagBag``; each operator
    keeps the arguments the file passed it (``written``)."""
    from airflow.dag_processing.dagbag import DagBag

    with recording():
        bag = DagBag(dag_folder=str(path))
    return dict(bag.dags), {str(k): str(v) for k, v in bag.import_errors.items()}


def module_file_name(dag_id: str) -> str:
    """``<dag_id>.py`` with characters Python module names cannot have replaced."""
    return "".join(c if c.isalnum() or c == "_" else "_" for c in dag_id) + ".py"


def migrate_dags(
    path: str | Path,
    dags: dict[str, Any],
    out_dir: str | Path | None = None,
    dag_ids: list[str] | None = None,
) -> list[MigratedDag]:
    """Migrate the loaded ``dags`` of DAG file ``path`` (all, or ``dag_ids``); write the
    modules into ``out_dir`` when given. Raises ``MigrationError`` for an unknown DAG id."""
    origin = OriginModule.of_file(path)
    chosen = dag_ids if dag_ids else sorted(dags)
    unknown = [d for d in chosen if d not in dags]
    if unknown:
        raise MigrationError(
            f"{Path(path).name} has no DAG {unknown[0]!r}; its DAGs are {sorted(dags)}"
        )
    results = []
    for dag_id in chosen:
        migration = migrate_dag(dags[dag_id], origin)
        source = render_module(migration, Path(path).name)
        target = Path(out_dir or ".") / module_file_name(dag_id)
        if out_dir is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source)
            if migration.original_copy is not None:  # fallback tasks run the original's
                shutil.copyfile(path, target.parent / migration.original_copy)
        results.append(MigratedDag(migration, target, source))
    return results


def migrate_file(
    path: str | Path, out_dir: str | Path | None = None, dag_ids: list[str] | None = None
) -> list[MigratedDag]:
    """Load ``path`` with a DagBag and migrate its DAGs (see ``migrate_dags``)."""
    dags, errors = load_dag_file(path)
    if errors:
        raise MigrationError(
            f"{Path(path).name} does not load in a DagBag: {next(iter(errors.values()))}"
        )
    if not dags:
        raise MigrationError(f"{Path(path).name} defines no DAG")
    return migrate_dags(path, dags, out_dir, dag_ids)
