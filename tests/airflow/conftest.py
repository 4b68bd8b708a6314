"""Helpers for tests that run DAGs in a real Airflow metadata DB."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO_DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture
def sales_dag_file(dags_folder: Path) -> Path:
    """The repo's sales pipeline, copied (with its data) into Airflow's dags folder."""
    shutil.copytree(REPO_DAGS / "data", dags_folder / "data", dirs_exist_ok=True)
    target = dags_folder / "sales_pipeline.py"
    shutil.copy(REPO_DAGS / "sales_pipeline.py", target)
    return target


def task_states(run: Any) -> dict[str, str]:
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(TaskInstance).filter_by(dag_id=run.dag_id, run_id=run.run_id).all()
        return {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in rows}


def asset_events(name: str) -> list[dict[str, Any]]:
    """``extra`` of every event of the Airflow asset ``name``, oldest first."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        events = (
            session.query(AssetEvent)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetModel.name == name)
            .order_by(AssetEvent.id)
            .all()
        )
        return [dict(e.extra or {}) for e in events]


def xcom(run: Any, task_id: str, key: str) -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = (
            session.query(XComModel)
            .filter_by(dag_id=run.dag_id, run_id=run.run_id, task_id=task_id, key=key)
            .one()
        )
        return row.value


@pytest.fixture
def states() -> Callable[[Any], dict[str, str]]:
    return task_states
