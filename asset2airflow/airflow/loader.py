"""One line in a dags-folder file turns a folder of plain asset modules into DAGs:

    from asset2airflow.airflow import load_asset_modules
    load_asset_modules("/path/to/assets")

Each ``*.py`` in the folder that defines a ``Definitions`` (and does not call ``build_dags``
itself) becomes DAGs. A module that fails to import or validate is reported as a warning naming
the module (Airflow shows it with this file's parse warnings) and the other modules' DAGs still
load. Two modules making the same DAG id fail the whole file, naming both modules.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, get_parsing_context

from asset2airflow.airflow.builder import airflow_dags_folder, build_dag
from asset2airflow.airflow.planner import plan_dags
from asset2airflow.authoring.jobs import ExecutionMode, check_execution
from asset2airflow.errors import Asset2AirflowError, DuplicateKeyError
from asset2airflow.loading import definitions_in, import_file


class AssetModuleWarning(UserWarning):
    """An asset module of a folder loaded by ``load_asset_modules`` could not be loaded."""


def load_asset_modules(
    folder: str | Path,
    *,
    dag_per: str = "job_or_group",
    default_args: Mapping[str, Any] | None = None,
    execution: ExecutionMode | str = ExecutionMode.PER_ASSET,
) -> dict[str, DAG]:
    """DAGs of every asset module in ``folder`` (sorted by file name); ``dag_per``,
    ``default_args`` and ``execution`` as for ``build_dags``.

    Two modules producing one DAG id is an import error naming both: Airflow would otherwise
    keep one of the DAGs and silently drop the other.
    """
    mode = check_execution(execution, "load_asset_modules")  # once, not a warning per module
    dags: dict[str, DAG] = {}
    sources: dict[str, Path] = {}
    only = get_parsing_context().dag_id
    dags_folder = airflow_dags_folder()
    for path in sorted(Path(folder).glob("*.py")):
        if path.name.startswith("_"):
            continue
        try:
            defs = definitions_in(import_file(path), str(path))
            plans = plan_dags(
                defs, dag_per=dag_per, only_dag_id=only, dags_folder=dags_folder, execution=mode
            )
        except Asset2AirflowError as exc:
            warnings.warn(f"{path}: {exc}", AssetModuleWarning, stacklevel=2)
            continue
        for plan in plans:
            if plan.dag_id in sources:
                raise DuplicateKeyError(
                    f"DAG id {plan.dag_id!r} is made by two asset modules of {folder}: "
                    f"{sources[plan.dag_id].name} and {path.name}. Rename the asset group or "
                    "job in one of them."
                )
            sources[plan.dag_id] = path
        dags.update({p.dag_id: build_dag(p, defs, default_args, dags_folder) for p in plans})
    return dags
