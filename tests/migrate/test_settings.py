"""Every DAG setting survives the migration (end date, catch-up, run limits, timeout, docs,
owner links, callbacks, template settings...), and the comparison would see one lost: the
scheduler's view of the migrated DAG plans the same runs as the original's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from asset2airflow.cli.main import main
from asset2airflow.migrate.compare import compare_dags
from asset2airflow.migrate.generate import load_dag_file, migrate_file
from tests.migrate.conftest import DAGS

pytestmark = pytest.mark.integration


def scheduled_runs(dag: Any, limit: int = 10) -> list[Any]:
    """The logical dates the scheduler would create runs for, from the serialized DAG (at most
    ``limit``: an unbounded schedule shows as ``limit`` runs)."""
    from airflow.serialization.serialized_objects import DagSerialization

    serialized = DagSerialization.from_dict(DagSerialization.to_dict(dag))
    dates: list[Any] = []
    info = None
    for _ in range(limit):
        info = serialized.next_dagrun_info(last_automated_run_info=info)
        if info is None:
            break
        dates.append(info.logical_date)
    return dates


def test_an_ended_catch_up_schedule_stays_ended(tmp_path: Path) -> None:
    [result] = migrate_file(DAGS / "settings.py", tmp_path)
    [original] = load_dag_file(DAGS / "settings.py")[0].values()
    generated = load_dag_file(result.path)[0]["settings"]
    runs = scheduled_runs(original)
    assert len(runs) == 3  # 1 to 3 January, then the DAG has ended
    assert scheduled_runs(generated) == runs
    assert generated.end_date == original.end_date


def test_every_dag_setting_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [result] = migrate_file(DAGS / "settings.py", tmp_path)
    [original] = load_dag_file(DAGS / "settings.py")[0].values()
    generated = load_dag_file(result.path)[0]["settings"]
    assert compare_dags(original, generated) == []
    for name in (
        "max_active_runs", "max_active_tasks", "max_consecutive_failed_dag_runs",
        "dagrun_timeout", "owner_links", "render_template_as_native_obj",
        "template_searchpath", "doc_md", "description", "is_paused_upon_creation",
    ):  # fmt: skip
        assert getattr(generated, name) == getattr(original, name), name
    assert [f.__name__ for f in generated.on_failure_callback] == ["announce"]
    assert main(["migrate", "--check", str(DAGS / "settings.py"), str(result.path)]) == 0


def test_check_sees_a_lost_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [result] = migrate_file(DAGS / "settings.py", tmp_path)
    edited = result.path.read_text().replace("render_template_as_native_obj=True,", "")
    result.path.write_text(edited)
    assert main(["migrate", "--check", str(DAGS / "settings.py"), str(result.path)]) == 1
    assert "DAG render_template_as_native_obj: True -> False" in capsys.readouterr().out
