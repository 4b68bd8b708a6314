"""The compiler: asset definitions -> native Airflow 3 DAGs. Importing this package imports
Airflow; the plan modules it uses (``plan``, ``params``, ``events``) do not."""

from __future__ import annotations

from typing import Any

__all__ = ["AssetStepOperator", "build_dags", "load_asset_modules"]


def __getattr__(name: str) -> Any:
    if name == "build_dags":
        from asset2airflow.airflow.builder import build_dags

        return build_dags
    if name == "AssetStepOperator":
        from asset2airflow.airflow.operator import AssetStepOperator

        return AssetStepOperator
    if name == "load_asset_modules":
        from asset2airflow.airflow.loader import load_asset_modules

        return load_asset_modules
    raise AttributeError(name)
