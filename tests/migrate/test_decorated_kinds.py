"""Tasks of @task.sensor, @setup/@teardown and @task.external_python run after the migration as
they ran before (dag.test() of both), the decorated ones through their public decorator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asset2airflow.migrate.generate import migrate_file
from asset2airflow.migrate.model import TaskKind
from tests.migrate.conftest import DAGS, run_dag

pytestmark = pytest.mark.integration


def test_sensor_setup_teardown_and_external_python_tasks_run_as_before(
    tmp_path: Path, in_dags_folder: Callable[..., dict[str, Any]]
) -> None:
    [result] = migrate_file(DAGS / "decorated_kinds.py", tmp_path)
    dag_id = "decorated_kinds"
    before = run_dag(in_dags_folder(DAGS / "decorated_kinds.py")[dag_id])
    after = run_dag(in_dags_folder(result.path, name=f"{dag_id}_assets.py")[dag_id])
    assert before.state == "success"
    assert after.state == before.state
    assert after.tasks == before.tasks
    assert after.values == before.values
    assert before.values["work"] == "worked on ready"
    assert before.values["elsewhere"] == "FAR"
    kinds = {t.task_id: t.kind for t in result.migration.tasks}
    assert kinds["ready"] is kinds["elsewhere"] is TaskKind.DECORATED
    assert "run_decorated(task.sensor(poke_interval=1, timeout=30, mode=" in result.source
