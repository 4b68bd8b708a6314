"""The project's migration corpus (``tests/migrate/dags``: TaskFlow, classic operators, every
kind of decorated task, settings, mapping, fallbacks, nested code, module-level values) checked
the way ``migrate --check --run`` checks: every DAG migrates, its module loads, and comparing
the two DAGs and their dag.test() runs shows no difference the migration report does not
declare. The counts are the README's."""

from __future__ import annotations

from pathlib import Path

import pytest

from asset2airflow.migrate.behaviour import compare_runs, inconclusive, logical_date_for, run_file
from asset2airflow.migrate.compare import compare_dags, split_expected
from asset2airflow.migrate.generate import load_dag_file, migrate_file
from tests.migrate.conftest import DAGS

pytestmark = pytest.mark.integration

DAG_COUNT = 12
DECLARED = {"mapping", "ops_chain", "environment", "fallback_dag"}  # report declares approximations


def test_every_corpus_dag_behaves_the_same_unless_declared(
    tmp_path: Path, airflow_db: Path
) -> None:
    checked: dict[str, list[str]] = {}
    declared: set[str] = set()
    for path in sorted(DAGS.glob("*.py")):
        originals = load_dag_file(path)[0]
        for result in migrate_file(path, tmp_path / path.stem):
            dag_id = result.migration.dag_id
            notes = result.migration.notes
            if any(n.difference or n.message.startswith("fallback") for n in notes):
                declared.add(dag_id)
            generated, errors = load_dag_file(result.path)
            assert not errors, (dag_id, errors)
            differences = compare_dags(originals[dag_id], generated[dag_id])
            when = logical_date_for(originals[dag_id], None)
            before = run_file(path, dag_id, when)
            after = run_file(result.path, dag_id, when)
            assert inconclusive(before, after) is None, dag_id
            differences += compare_runs(before, after)
            unexpected, _ = split_expected(differences, notes)
            checked[dag_id] = [str(d) for d in unexpected]
    assert len(checked) == DAG_COUNT
    assert {d: u for d, u in checked.items() if u} == {}
    assert declared == DECLARED
