"""Task DAGs -> asset modules (see the README, "Migrating a task DAG").

What migrated modules use is importable without Airflow: ``airflow_task``/``airflow_dag``
(pinned task and DAG settings), ``AirflowAssetRef``, ``XComIOManager``, and the runtime helpers
``run_python``/``run_operator``/``run_decorated``/``expand_items``, which import Airflow only
when a step runs in it. ``observe``, ``migrate_file`` and ``compare_dags`` work on loaded
Airflow DAGs.
"""

from __future__ import annotations

from typing import Any

from asset2airflow.authoring.airflow_decorators import airflow_dag, airflow_task
from asset2airflow.authoring.airflow_options import AirflowAssetRef
from asset2airflow.migrate.runtime import (
    JinjaTemplate,
    dag_param,
    expand_items,
    expand_kwargs_items,
    run_decorated,
    run_operator,
    run_original_task,
    run_python,
    zip_items,
)
from asset2airflow.migrate.xcom import XComIOManager

__all__ = [
    "AirflowAssetRef",
    "JinjaTemplate",
    "XComIOManager",
    "airflow_dag",
    "airflow_task",
    "asset_refs",
    "compare_dags",
    "dag_param",
    "expand_items",
    "expand_kwargs_items",
    "migrate_file",
    "observe",
    "run_decorated",
    "run_operator",
    "run_original_task",
    "run_python",
    "zip_items",
]


def __getattr__(name: str) -> Any:
    if name == "migrate_file":
        from asset2airflow.migrate.generate import migrate_file

        return migrate_file
    if name == "compare_dags":
        from asset2airflow.migrate.compare import compare_dags

        return compare_dags
    if name in ("observe", "asset_refs"):
        from asset2airflow.migrate import observing

        return getattr(observing, name)
    raise AttributeError(name)
