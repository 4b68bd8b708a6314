"""Values a DAG file computes when it loads (environment variables, the clock) stay code in the
generated module, so each machine parsing it computes its own; a value that cannot stay code is
frozen, and the migration report names it, the task using it and the value it was frozen to;
it names every other approximation (mapped tasks, flattened groups) with its tasks too."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asset2airflow.migrate.generate import migrate_file
from tests.migrate.conftest import DAGS, run_dag

pytestmark = pytest.mark.integration


def test_environment_values_stay_code_or_are_reported_frozen(
    tmp_path: Path, in_dags_folder: Callable[..., dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("A2A_TEST_DEPLOY_ENV", raising=False)
    monkeypatch.delenv("A2A_TEST_REGION", raising=False)
    [result] = migrate_file(DAGS / "environment.py", tmp_path)
    # Another machine: other environment variables.
    monkeypatch.setenv("A2A_TEST_DEPLOY_ENV", "prod")
    monkeypatch.setenv("A2A_TEST_REGION", "us")
    before = run_dag(in_dags_folder(DAGS / "environment.py")["environment"])
    after = run_dag(in_dags_folder(result.path, name="environment_assets.py")["environment"])
    assert after.values["deploy_env"] == before.values["deploy_env"] == "prod"
    assert 'DEPLOY_ENV = os.getenv("A2A_TEST_DEPLOY_ENV", "dev")' in result.source
    assert "LOADED_AT = datetime.now(timezone.utc).isoformat()" in result.source
    # REGION is bound twice: frozen to what the migrating machine had, and reported.
    assert (before.values["region"], after.values["region"]) == ("us", "eu")
    [frozen] = [n for n in result.migration.notes if n.field == "frozen"]
    assert frozen.task_id == "region" and frozen.difference
    assert str(frozen).startswith("task 'region': REGION is frozen to \"eu\"")
    assert "REGION = os.getenv(" in str(frozen)


def test_the_report_names_each_approximation_with_its_task(tmp_path: Path) -> None:
    [mapping] = migrate_file(DAGS / "mapping.py", tmp_path)
    notes = {n.task_id: str(n) for n in mapping.migration.differences}
    assert sorted(notes) == ["echo", "scale", "scale__1"]
    assert "xcom_pull(map_indexes=[...]) of it gets None" in notes["scale"]
    [ops] = migrate_file(DAGS / "ops_chain.py", tmp_path)
    [group] = [str(n) for n in ops.migration.differences if n.field == "task_groups"]
    assert group.startswith("DAG: task group 'report' is flattened (tasks report.count)")
