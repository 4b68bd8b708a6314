"""Migrating task DAGs of tests/migrate/dags: the generated module is a DAG file of its own
whose DAG has the same id, task ids, edges, schedule, params, retries and outlets, and whose
dag.test() run does what the original's did (task states and XCom values)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asset2airflow.cli.main import main
from asset2airflow.migrate.compare import compare_dags, split_expected
from asset2airflow.migrate.generate import MigratedDag, load_dag_file, migrate_file
from asset2airflow.migrate.model import TaskKind
from tests.migrate.conftest import DAGS, run_dag

pytestmark = pytest.mark.integration

Place = Callable[..., dict[str, Any]]


def _migrate(name: str, out: Path) -> MigratedDag:
    [result] = migrate_file(DAGS / name, out)
    return result


def _generated(result: MigratedDag) -> Any:
    dags, errors = load_dag_file(result.path)
    assert not errors, errors
    return dags[result.migration.dag_id]


def test_taskflow_etl_keeps_the_dag_and_its_settings(tmp_path: Path) -> None:
    result = _migrate("orders_etl.py", tmp_path)
    [original] = load_dag_file(DAGS / "orders_etl.py")[0].values()
    dag = _generated(result)
    assert compare_dags(original, dag) == []
    assert dag.dag_id == "orders_etl" and sorted(dag.tags) == ["etl", "orders"]
    assert dag.timetable.expression == original.timetable.expression == "0 6 * * *"
    assert str(dag.timezone.name) == "Europe/Amsterdam"
    assert dag.params.get_param("region").schema["enum"] == ["eu", "us"]
    assert "assets" not in dag.params  # no selection param: the params are the original's
    assert dag.max_active_runs == 1
    transform = dag.get_task("transform")
    assert (transform.retries, transform.owner, transform.multiple_outputs) == (
        4,
        "orders-team",
        True,
    )
    assert dag.get_task("load").trigger_rule == "all_done"
    assert dag.get_task("extract").retries == 2  # from default_args, not pinned
    assert dag.get_task("load").upstream_task_ids == {"transform"}
    assert "Orders of the region" in (dag.get_task("extract").doc_md or "")
    assert {t.kind for t in result.migration.tasks} == {TaskKind.PYTHON}
    # The generated module is an asset module: the copied helper and constant came along.
    assert "def _rounded(value: float)" in result.source and "RATE = 1.5" in result.source


def test_taskflow_etl_runs_like_the_original(tmp_path: Path, in_dags_folder: Place) -> None:
    result = _migrate("orders_etl.py", tmp_path)
    before = run_dag(in_dags_folder(DAGS / "orders_etl.py")["orders_etl"])
    after = run_dag(in_dags_folder(result.path, name="orders_etl_assets.py")["orders_etl"])
    assert before.state == after.state == "success"
    assert after.tasks == before.tasks
    assert after.values["load"] == before.values["load"] == "2 orders, 23.25 total (load)"
    assert after.values["transform"] == before.values["transform"]


def test_operators_become_operator_backed_assets(tmp_path: Path) -> None:
    result = _migrate("ops_chain.py", tmp_path)
    [original] = load_dag_file(DAGS / "ops_chain.py")[0].values()
    dag = _generated(result)
    unexpected, expected = split_expected(compare_dags(original, dag), result.migration.notes)
    assert unexpected == []
    assert [d.field for d, _ in expected] == ["task_groups"]  # flattened, announced
    say = dag.get_task("say")
    assert [(o.name, o.uri) for o in say.outlets] == [
        ("s3://bucket/said.txt", "s3://bucket/said.txt")
    ]
    assert say.retries == 1
    count = dag.get_task("report.count")
    assert sorted(o.name for o in count.outlets) == ["report/count", "report/size"]
    assert dag.get_task("join").trigger_rule == "none_failed_min_one_success"
    command = '"echo {{ params.word }}-{{ task.task_id }}"'
    assert f"return run_operator(BashOperator, bash_command={command})" in result.source
    kinds = {t.task_id: t.kind for t in result.migration.tasks}
    assert kinds.pop("choose") is TaskKind.DECORATED  # @task.branch
    assert set(kinds.values()) == {TaskKind.OPERATOR}


def test_bash_chain_and_branch_run_like_the_original(tmp_path: Path, in_dags_folder: Place) -> None:
    result = _migrate("ops_chain.py", tmp_path)
    before = run_dag(in_dags_folder(DAGS / "ops_chain.py")["ops_chain"])
    after = run_dag(in_dags_folder(result.path, name="ops_chain_assets.py")["ops_chain"])
    assert before.state == after.state == "success"
    assert after.tasks == before.tasks
    assert after.tasks["right"] == "skipped" and after.tasks["left"] == "success"
    assert after.tasks["say"] == "success"  # the latest-only gate let the manual run through
    assert after.values["say"] == before.values["say"] == "hi-say"


def test_mapped_tasks_fall_back_to_one_task_and_give_the_same_results(
    tmp_path: Path, in_dags_folder: Place
) -> None:
    result = _migrate("mapping.py", tmp_path)
    mapped = {t.task_id for t in result.migration.tasks if t.kind is TaskKind.MAPPED}
    assert mapped == {"scale", "scale__1", "echo"}
    assert {n.task_id for n in result.migration.differences} == mapped
    before = run_dag(in_dags_folder(DAGS / "mapping.py")["mapping"])
    after = run_dag(in_dags_folder(result.path, name="mapping_assets.py")["mapping"])
    assert before.state == after.state == "success"
    assert after.values["mapping_total"] == before.values["mapping_total"] == 60
    assert after.values["pair_total"] == before.values["pair_total"] == 14
    assert after.values["echo"] == ["a", "b"]


def test_code_that_cannot_be_copied_runs_the_original_task(
    tmp_path: Path, in_dags_folder: Place
) -> None:
    result = _migrate("fallback.py", tmp_path)
    greet = next(t for t in result.migration.tasks if t.task_id == "greet")
    assert greet.kind is TaskKind.ORIGINAL
    assert "Greeter object" in str(result.migration.notes[0])
    kept = tmp_path / "fallback.py.original"
    assert kept.read_text() == (DAGS / "fallback.py").read_text()
    after = run_dag(in_dags_folder(result.path, kept, name="fallback_assets.py")["fallback_dag"])
    assert after.state == "success"
    assert after.values["shout"] == "HELLO, WORLD"


def test_migrate_and_check_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "assets"
    assert main(["migrate", str(DAGS / "ops_chain.py"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    kinds = "8 tasks: 7 operator-backed, 1 decorated function"
    assert f"DAG 'ops_chain' -> {out / 'ops_chain.py'} ({kinds})" in printed
    assert "report.count  assets report/count, report/size" in printed
    assert "differs: DAG: task group 'report' is flattened (tasks report.count)" in printed
    generated = out / "ops_chain.py"
    assert main(["migrate", "--check", str(DAGS / "ops_chain.py"), str(generated)]) == 0
    printed = capsys.readouterr().out
    assert "DAG 'ops_chain': same task ids, edges, schedule, params, retries and outlets" in printed
    assert "~ DAG task_groups:" in printed  # the announced difference, shown as expected
    # A generated module edited by hand no longer matches: exit 1 naming the difference.
    edited = generated.read_text().replace('trigger_rule="none_failed_min_one_success"', "")
    generated.write_text(edited)
    assert main(["migrate", "--check", str(DAGS / "ops_chain.py"), str(generated)]) == 1
    printed = capsys.readouterr().out
    assert "task 'join' trigger_rule: 'none_failed_min_one_success' -> 'none_failed'" in printed


def test_command_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", str(DAGS / "ops_chain.py")]) == 2
    assert "migrate needs --out DIR" in capsys.readouterr().err
    assert main(["migrate", str(DAGS / "ops_chain.py"), "--dag-id", "nope", "--out", "x"]) == 2
    assert "has no DAG 'nope'; its DAGs are ['ops_chain']" in capsys.readouterr().err
    broken = tmp_path / "broken.py"
    broken.write_text("from airflow.sdk import DAG\nraise ValueError('boom')\n")
    assert main(["migrate", str(broken), "--out", str(tmp_path)]) == 2
    assert "broken.py does not load in a DagBag" in capsys.readouterr().err


def test_generated_module_and_its_dag_are_stable(tmp_path: Path) -> None:
    import json

    from airflow.serialization.serialized_objects import DagSerialization

    first = _migrate("ops_chain.py", tmp_path / "a")
    assert _migrate("ops_chain.py", tmp_path / "b").source == first.source
    # Parsed twice, the DAG serializes identically: Airflow keeps one DAG version.
    serialized = [
        json.dumps(DagSerialization.to_dict(_generated(first)), sort_keys=True, default=str)
        for _ in range(2)
    ]
    assert serialized[0] == serialized[1]


def test_render_writes_a_migrated_module_as_the_same_dag(tmp_path: Path) -> None:
    result = _migrate("orders_etl.py", tmp_path)
    assert main(["render", str(result.path), "--out", str(tmp_path / "rendered")]) == 0
    rendered = tmp_path / "rendered" / "orders_etl_dag.py"
    assert "start_date=PINNED['start_date']," in rendered.read_text()  # no literal form
    [original] = load_dag_file(DAGS / "orders_etl.py")[0].values()
    dags, errors = load_dag_file(rendered)
    assert not errors, errors
    assert compare_dags(original, dags["orders_etl"]) == []
