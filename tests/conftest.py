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
