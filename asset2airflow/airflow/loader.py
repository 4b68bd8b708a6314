"""One line in a dags-folder file turns a folder of plain asset modules into DAGs:

    from asset2airflow.airflow import load_asset_modules
    load_asset_modules("/path/to/assets")

Each ``*.py`` in the folder that defines a ``Definitions`` (and does not call ``build_dags``
itself) becomes DAGs. A module that fails to import or validate is reported as a warning naming
the module (Airflow shows it with this file's parse warnings) and the other modules' DAGs still
load.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, get_parsing_context

from asset2airflow.airflow.builder import build_dag
from asset2airflow.airflow.plan import build_dag_plans
from asset2airflow.errors import Asset2AirflowError
from asset2airflow.loading import definitions_in, import_file


class AssetModuleWarning(UserWarning):
    """An asset module of a folder loaded by ``load_asset_modules`` could not be loaded."""


def load_asset_modules(
    folder: str | Path,
    *,
    dag_per: str = "job_or_group",
    default_args: Mapping[str, Any] | None = None,
) -> dict[str, DAG]:
    """DAGs of every asset module in ``folder`` (sorted by file name; DAG ids must not clash)."""
    dags: dict[str, DAG] = {}
    only = get_parsing_context().dag_id
    for path in sorted(Path(folder).glob("*.py")):
        if path.name.startswith("_"):
            continue
        try:
            defs = definitions_in(import_file(path), str(path))
            plans = build_dag_plans(defs, dag_per=dag_per, only_dag_id=only)
        except Asset2AirflowError as exc:
            warnings.warn(f"{path}: {exc}", AssetModuleWarning, stacklevel=2)
            continue
        clashes = sorted({p.dag_id for p in plans} & set(dags))
        if clashes:
            warnings.warn(
                f"{path}: DAG ids {clashes} are already defined by another module of {folder}; "
                "this module's DAGs were not loaded. Rename its asset groups or jobs.",
                AssetModuleWarning,
                stacklevel=2,
            )
            continue
        dags.update({p.dag_id: build_dag(p, defs, default_args) for p in plans})
    return dags
