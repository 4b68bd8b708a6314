"""``XComIOManager``: values of migrated tasks stay Airflow XComs.

In an Airflow task an asset's value is pushed as the task's ``return_value`` XCom (one XCom per
key too when the task has ``multiple_outputs``, nothing when it has ``do_xcom_push=False``), and
an input is pulled from the producing task's ``return_value``: exactly what the original task
DAG stored, so templates and other DAGs reading those XComs keep working. XCom-sized values
only, as before the migration. Outside Airflow (``materialize()``) values are kept in this
process, like ``InMemoryIOManager``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asset2airflow.authoring.io_manager import InputContext, IOManager, OutputContext
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.errors import MissingUpstreamValueError
from asset2airflow.migrate.runtime import airflow_context

RETURN_VALUE = "return_value"


def default_task_id(key: AssetKey) -> str:
    """The task id a migrated asset named after its task has: the key path joined by ``.``
    (task group ids contain dots; key components cannot)."""
    return ".".join(key.path)


class XComIOManager(IOManager):
    """Stores asset values as Airflow XComs of their task.

    ``task_ids`` maps asset keys (``"a/b"``) to the task producing them where that is not the
    key path joined by ``.`` (assets named after an outlet).
    """

    def __init__(self, task_ids: Mapping[str, str] | None = None) -> None:
        self.task_ids = dict(task_ids or {})
        self.values: dict[AssetKey, Any] = {}

    def task_id_for(self, key: AssetKey) -> str:
        return self.task_ids.get(key.to_user_string()) or default_task_id(key)

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        airflow = airflow_context()
        if airflow is None:
            self.values[context.asset_key] = obj
            return
        ti = airflow["ti"]
        task = airflow["task"]
        if obj is None or not getattr(task, "do_xcom_push", True):
            return
        if getattr(task, "multiple_outputs", False):
            if not isinstance(obj, Mapping) or not all(isinstance(k, str) for k in obj):
                raise TypeError(
                    f"task {task.task_id!r} has multiple_outputs=True but its asset "
                    f"{context.asset_key.to_user_string()!r} returned {type(obj).__name__}, "
                    "not a dict with string keys"
                )
            for name, value in obj.items():
                ti.xcom_push(name, value)
        ti.xcom_push(RETURN_VALUE, obj)

    def load_input(self, context: InputContext) -> Any:
        key = context.asset_key
        airflow = airflow_context()
        if airflow is None:
            if key not in self.values:
                raise MissingUpstreamValueError(
                    f"no value of {key.to_user_string()!r} in this XComIOManager: outside "
                    "Airflow it holds only values materialized in this process; materialize "
                    "the upstream asset in the same run."
                )
            return self.values[key]
        return airflow["ti"].xcom_pull(task_ids=self.task_id_for(key), key=RETURN_VALUE)
