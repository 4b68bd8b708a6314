"""Shared fixtures. The user-facing ones come from the asset2airflow.testing plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SALES_PIPELINE = REPO / "dags" / "sales_pipeline.py"


@pytest.fixture(autouse=True)
def _isolated_storage(asset2airflow_home: Path) -> Path:
    """No test writes to the real default storage directory."""
    return asset2airflow_home


@pytest.fixture
def sales_pipeline_path() -> Path:
    return SALES_PIPELINE


def pytest_configure(config: pytest.Config) -> None:
    """Point Airflow at a throwaway home before anything imports it (tests and subprocesses)."""
    import os
    import tempfile

    if not os.environ.get("ASSET2AIRFLOW_TEST_AIRFLOW_HOME"):
        home = tempfile.mkdtemp(prefix="a2a-airflow-home-")
        os.environ["ASSET2AIRFLOW_TEST_AIRFLOW_HOME"] = home
        os.environ["AIRFLOW_HOME"] = home
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
