"""The example DAGs that ship inside apache-airflow 3.3.2 as the migration corpus: every DAG
that loads in a DagBag is migrated, its module parses without import errors, and comparing it
with the original shows no difference except those the migration report announces. For a
representative set (TaskFlow ETL, Bash chain, mapped task, branching) dag.test() of the
generated DAG does what the original's does. The counts are the README's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from asset2airflow.migrate.compare import Difference, compare_dags, split_expected
from asset2airflow.migrate.generate import MigratedDag, load_dag_file, migrate_dags
from tests.migrate.conftest import private_airflow_imports, run_dag
from tests.migrate.test_clean_code import pyflakes_problems

pytestmark = pytest.mark.integration

# The README's numbers ("Migrating a task DAG").
EXAMPLE_FILES = 47  # airflow/example_dags/*.py without __init__.py
LOADING_FILES = 45  # the two Kubernetes examples need the cncf.kubernetes provider
EXAMPLE_DAGS = 90
SAME_DAGS = 79  # no difference at all; the others only differ as their report announces


def _examples() -> Path:
    import airflow

    return Path(airflow.__file__).parent / "example_dags"


@dataclass
class Corpus:
    out: Path = Path()
    files: int = 0
    loading: int = 0
    migrated: dict[str, MigratedDag] = field(default_factory=dict)
    unexpected: dict[str, list[Difference]] = field(default_factory=dict)
    announced: dict[str, list[Difference]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """Every example DAG migrated into a temporary folder, parsed and compared (one process)."""
    out = tmp_path_factory.mktemp("corpus")
    found = Corpus(out)
    for path in sorted(_examples().glob("*.py")):
        if path.name == "__init__.py":
            continue
        found.files += 1
        originals, errors = load_dag_file(path)
        if errors or not originals:
            continue
        found.loading += 1
        for result in migrate_dags(path, originals, out):
            dag_id = result.migration.dag_id
            found.migrated[dag_id] = result
            generated, import_errors = load_dag_file(result.path)
            assert not import_errors, (dag_id, import_errors)
            differences = compare_dags(originals[dag_id], generated[dag_id])
            unexpected, announced = split_expected(differences, result.migration.notes)
            found.unexpected[dag_id] = unexpected
            found.announced[dag_id] = [d for d, _ in announced]
    return found


def test_every_example_dag_migrates_with_only_announced_differences(corpus: Corpus) -> None:
    assert (corpus.files, corpus.loading) == (EXAMPLE_FILES, LOADING_FILES)
    assert len(corpus.migrated) == EXAMPLE_DAGS
    assert {d: u for d, u in corpus.unexpected.items() if u} == {}
    private = {d: private_airflow_imports(r.source) for d, r in corpus.migrated.items()}
    assert {d: names for d, names in private.items() if names} == {}
    assert pyflakes_problems(corpus.out) == []  # no unused or undefined name in any module
    same = [d for d in corpus.migrated if not corpus.announced[d]]
    print(f"\n{len(same)} of {EXAMPLE_DAGS} example DAGs migrated with no difference")
    assert len(same) == SAME_DAGS
    # What the others differ in, each announced by its migration report.
    fields = {d: sorted({x.field for x in a}) for d, a in corpus.announced.items() if a}
    assert fields == {
        "example_branch_labels": ["edge_labels"],
        "example_dynamic_task_mapping": ["mapped"],
        "example_dynamic_task_mapping_with_no_taskflow_operators": ["mapped"],
        "example_params_trigger_ui": ["mapped"],
        "example_setup_teardown": ["task_groups"],
        "example_setup_teardown_taskflow": ["task_groups"],
        "example_task_group": ["task_groups"],
        "example_task_group_decorator": ["task_groups"],
        "example_task_group_mapping": ["task_groups"],
        "example_task_mapping_second_order": ["mapped"],
        "example_task_state_store_mapped": ["mapped"],
    }


def test_generated_modules_show_how_each_task_runs(corpus: Corpus) -> None:
    etl = corpus.migrated["tutorial_taskflow_api"].source
    assert "def extract():" in etl  # the TaskFlow function, copied
    assert "    return run_python(transform, extract)" in etl
    assert '    return run_python(load, transform["total_order_value"])' in etl
    bash = corpus.migrated["tutorial"].source
    assert "Operator-backed: runs the original BashOperator of task 'print_date'" in bash
    assert 'return run_operator(BashOperator, bash_command="date")' in bash
    templates = corpus.migrated["tutorial_taskflow_templates"].source
    # templates_exts=[".sql"]: the path is rendered as a template file, as the original does
    assert 'sql=JinjaTemplate("sql/tutorial_taskflow_template.sql")' in templates
    decorated = corpus.migrated["asset2_producer"].source  # Airflow's own @asset
    assert 'AirflowAssetRef(name="asset2_producer", uri="s3://bucket/object")' in decorated


REPRESENTATIVE = {
    "tutorial_taskflow_api": "TaskFlow ETL",
    "tutorial": "Bash chain",
    "example_dynamic_task_mapping": "mapped task",
    "example_nested_branch_dag": "branching",
}


@pytest.mark.parametrize("dag_id", sorted(REPRESENTATIVE), ids=lambda d: REPRESENTATIVE[d])
def test_generated_dag_runs_like_the_original(
    corpus: Corpus, dag_id: str, in_dags_folder: Callable[..., dict[str, Any]]
) -> None:
    result = corpus.migrated[dag_id]
    original = run_dag(in_dags_folder(result.migration.source)[dag_id])
    generated = run_dag(in_dags_folder(result.path, name=f"{dag_id}_assets.py")[dag_id])
    assert original.state == "success"
    assert generated.state == original.state
    assert generated.tasks == original.tasks
    for task_id, value in original.values.items():
        if task_id != "print_date":  # `date` prints the time of the run
            assert generated.values[task_id] == value, task_id
