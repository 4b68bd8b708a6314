"""``asset2airflow migrate``: write asset modules for the DAGs of a DAG file, or ``--check`` a
generated module against the original. Both load files with a real ``DagBag``."""

from __future__ import annotations

import argparse
import datetime
import os
from pathlib import Path
from typing import Any

from asset2airflow.errors import Asset2AirflowError
from asset2airflow.migrate.model import DagMigration, TaskKind


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="the DAG file to migrate; with --check: the DAG file, then the generated module",
    )
    parser.add_argument(
        "--out", metavar="DIR", help="directory for the asset modules (one per DAG)"
    )
    parser.add_argument(
        "--dag-id",
        action="append",
        default=[],
        dest="dag_ids",
        metavar="ID",
        help="migrate only this DAG of the file (repeat for several; default: all)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare DAG_FILE with GENERATED_FILE: task ids, edges, schedule, params, retries, "
        "outlets...; exit 0 when they match (differences announced by the migration report "
        "excepted), 1 otherwise",
    )
    parser.add_argument(
        "--run",
        action="store_true",
        help="with --check: also run both DAGs with dag.test() and compare each task's final "
        "state and returned XCom",
    )
    parser.add_argument(
        "--logical-date",
        type=_logical_date,
        metavar="ISO_DATE",
        help="with --run: the logical date of both runs (default: the DAG's start date)",
    )


def _logical_date(text: str) -> datetime.datetime:
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date ({exc})") from None
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)


def _kinds(migration: DagMigration) -> str:
    counts: dict[TaskKind, int] = {}
    for task in migration.tasks:
        counts[task.kind] = counts.get(task.kind, 0) + 1
    return ", ".join(f"{n} {kind.value}" for kind, n in counts.items())


def print_report(migration: DagMigration, path: Path) -> None:
    tasks = migration.tasks
    print(f"DAG {migration.dag_id!r} -> {path} ({len(tasks)} tasks: {_kinds(migration)})")
    width = max(len(t.task_id) for t in tasks)
    for task in tasks:
        keys = ", ".join(k.to_user_string() for k in task.keys)
        label = "asset" if len(task.keys) == 1 else "assets"
        print(f"  {task.task_id:<{width}}  {label} {keys}  [{task.kind.value}: {task.operator}]")
    if migration.notes:
        print("  report:")
        for note in migration.notes:
            marker = "differs" if note.difference else "note"
            print(f"    {marker}: {note}")


def _migrate(args: argparse.Namespace) -> int:
    from asset2airflow.migrate.generate import migrate_file

    if len(args.files) != 1:
        raise Asset2AirflowError("migrate takes one DAG file (or --check DAG_FILE GENERATED)")
    if not args.out:
        raise Asset2AirflowError("migrate needs --out DIR, the folder for the asset modules")
    for result in migrate_file(args.files[0], args.out, args.dag_ids or None):
        print_report(result.migration, result.path)
    return 0


def _check(args: argparse.Namespace) -> int:
    from asset2airflow.migrate.compare import compare_dags, split_expected
    from asset2airflow.migrate.generate import migrate_dags

    if len(args.files) != 2:
        raise Asset2AirflowError("migrate --check takes two files: DAG_FILE GENERATED_FILE")
    original_file, generated_file = (Path(f) for f in args.files)
    originals = _loaded(original_file)
    generated = _loaded(generated_file)
    common = sorted(originals.keys() & generated.keys())
    if not common:
        raise Asset2AirflowError(
            f"{generated_file.name} makes DAGs {sorted(generated)}, none of which "
            f"{original_file.name} makes ({sorted(originals)})"
        )
    notes = {
        r.migration.dag_id: r.migration.notes
        for r in migrate_dags(original_file, originals, None, common)
    }
    failed = False
    for dag_id in common:
        differences = compare_dags(originals[dag_id], generated[dag_id])
        why_not = None
        if args.run:
            found, why_not = _runs(original_file, generated_file, originals[dag_id], args)
            differences += found
        unexpected, expected = split_expected(differences, notes[dag_id])
        tasks = len(originals[dag_id].tasks)
        if unexpected:
            failed = True
            print(f"DAG {dag_id!r}: {len(unexpected)} difference(s)")
            for difference in unexpected:
                print(f"  - {difference}")
        else:
            ran = ", task states and returned values" if args.run and why_not is None else ""
            print(
                f"DAG {dag_id!r}: same task ids, edges, schedule, params, retries and outlets"
                f"{ran} ({tasks} tasks)"
            )
        if why_not is not None:
            print(f"  ? runs inconclusive: {why_not}")
        for difference, note in expected:
            print(f"  ~ {difference}  (expected: {note.message})")
    return 1 if failed else 0


def _runs(
    original_file: Path, generated_file: Path, dag: Any, args: argparse.Namespace
) -> tuple[list[Any], str | None]:
    """(run differences, why the runs are inconclusive or ``None``)."""
    from asset2airflow.migrate.behaviour import (
        compare_runs,
        inconclusive,
        logical_date_for,
        run_file,
    )

    when = logical_date_for(dag, args.logical_date)
    before = run_file(original_file, dag.dag_id, when)
    after = run_file(generated_file, dag.dag_id, when)
    why_not = inconclusive(before, after)
    return ([] if why_not else compare_runs(before, after)), why_not


def _loaded(path: Path) -> dict[str, Any]:
    from asset2airflow.migrate.generate import load_dag_file

    if not path.is_file():
        raise Asset2AirflowError(f"{path}: no such file")
    dags, errors = load_dag_file(path)
    if errors:
        message = next(iter(errors.values())).strip().splitlines()[-1]
        raise Asset2AirflowError(f"{path.name} does not load in a DagBag: {message}")
    return dags


def run(args: argparse.Namespace) -> int:
    # DagBag's "Filling up the DagBag" lines would drown the report (unless asked for).
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    return _check(args) if args.check else _migrate(args)
