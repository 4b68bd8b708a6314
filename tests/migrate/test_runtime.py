"""What migrated modules run: the runtime helpers and ``XComIOManager`` outside Airflow (a
migrated TaskFlow module still materializes in-process, as assets do), Airflow's map-index
order, and the messages when an operator-backed asset is run outside Airflow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from asset2airflow import AssetKey, materialize
from asset2airflow.errors import MissingUpstreamValueError
from asset2airflow.loading import load_definitions
from asset2airflow.migrate import XComIOManager, expand_items, run_operator, run_python
from asset2airflow.migrate.runtime import NotInAirflowError
from tests.migrate.conftest import DAGS


def test_expand_items_follow_airflows_map_index_order() -> None:
    from airflow.sdk.definitions._internal.expandinput import DictOfListsExpandInput

    expand = {"a": [1, 2], "b": ["x", "y", "z"], "c": {"k": "v"}}
    airflow = DictOfListsExpandInput(expand)
    lengths = {"a": 2, "b": 3, "c": 1}
    expected = [
        {k: airflow._expand_mapped_field(k, v, index, lengths) for k, v in expand.items()}
        for index in range(6)
    ]
    assert expand_items(expand) == expected


def test_run_python_is_a_plain_call_outside_airflow() -> None:
    def add(a: int, b: int = 1, ti: object = None) -> tuple[int, object]:
        return a + b, ti

    assert run_python(add, 1, b=2) == (3, None)


def test_operator_backed_asset_outside_airflow_says_what_it_needs() -> None:
    from airflow.providers.standard.operators.bash import BashOperator

    with pytest.raises(NotInAirflowError, match="runs the Airflow operator BashOperator"):
        run_operator(BashOperator, bash_command="x")


def test_xcom_io_manager_keeps_values_in_process_outside_airflow() -> None:
    from asset2airflow import build_input_context, build_output_context

    manager = XComIOManager({"s3/bucket/x": "say"})
    key = AssetKey(["s3", "bucket", "x"])
    with pytest.raises(MissingUpstreamValueError, match="materialize the upstream asset"):
        manager.load_input(build_input_context(asset_key=key))
    manager.handle_output(build_output_context(asset_key=key), {"n": 1})
    assert manager.load_input(build_input_context(asset_key=key)) == {"n": 1}
    assert manager.task_id_for(key) == "say"
    assert manager.task_id_for(AssetKey(["group", "task"])) == "group.task"


def test_migration_modules_import_without_airflow() -> None:
    code = (
        "import sys, asset2airflow.migrate\n"
        "from asset2airflow.migrate import XComIOManager, run_operator, airflow_task\n"
        "print('airflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.integration
def test_migrated_taskflow_module_materializes_in_process(tmp_path: Path) -> None:
    from asset2airflow.migrate.generate import migrate_file

    [result] = migrate_file(DAGS / "orders_etl.py", tmp_path)
    defs = load_definitions(str(result.path))
    outcome = materialize(defs.assets, resources=defs.resources)
    assert outcome.success
    assert outcome.output_for_node("transform") == {"total": 23.25, "count": 2}
    assert outcome.output_for_node("load") == "2 orders, 23.25 total (?)"  # no ti outside Airflow


@pytest.mark.integration
def test_operator_backed_module_fails_in_process_naming_the_operator(tmp_path: Path) -> None:
    from asset2airflow.migrate.generate import migrate_file

    [result] = migrate_file(DAGS / "ops_chain.py", tmp_path)
    defs = load_definitions(str(result.path))
    outcome = materialize(defs.assets, resources=defs.resources, raise_on_error=False)
    assert not outcome.success
    [failure] = outcome.errors  # the first asset fails; the others wait for it
    assert "runs the Airflow operator EmptyOperator and needs a running Airflow task" in str(
        failure
    )
