"""Shared fixtures. The user-facing ones come from the asset2airflow.testing plugin; this
repository's own harness (``tests/harness``) adds the browser fixtures (``chromium``,
``airflow_page``) for every test directory."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SALES_PIPELINE = REPO / "dags" / "sales_pipeline.py"

pytest_plugins = ("tests.harness.browser",)


@pytest.fixture(autouse=True)
def _isolated_storage(asset2airflow_home: Path) -> Path:
    """No test writes to the real default storage directory."""
    return asset2airflow_home


@pytest.fixture
def sales_pipeline_path() -> Path:
    return SALES_PIPELINE
