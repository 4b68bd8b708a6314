"""Airflow settings an asset or a job may pin (``airflow_decorators`` pins them): the task id, the
Airflow ``Asset`` an asset key is published as, extra operator arguments, and the DAG id and
``DAG(...)`` arguments of a job.

They are what a DAG needs to match an existing Airflow DAG exactly (``asset2airflow migrate``
writes them) and a way to reach Airflow features the asset API does not name (pools, queues,
custom timetables). No Airflow imports: values are kept as given and handed to Airflow's
constructors when the DAG is built, after (and over) what the compiler derives.

    @airflow_task(task_id="extract.orders", pool="db", trigger_rule="all_done")
    @asset
    def orders(): ...

    job = airflow_dag("legacy_orders", schedule="@daily", start_date=..., tags=["orders"])
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from asset2airflow.authoring.keys import AssetKey
from asset2airflow.errors import DefinitionError

# Airflow's rule for dag ids and task ids (``airflow.sdk.definitions._internal.node``).
_AIRFLOW_ID = re.compile(r"^[\w.-]{1,250}$", re.ASCII)
LIST_ARGUMENTS = ("outlets", "inlets")
"""Task arguments appended to what the compiler derives instead of replacing it."""
TASK_ATTRIBUTES = ("is_setup", "is_teardown", "on_failure_fail_dagrun")
"""Task arguments set on the task after it is built (setup/teardown roles)."""


@dataclass(frozen=True)
class AirflowAssetRef:
    """The Airflow ``Asset`` an asset key is published as, when not the default (name = the key
    path, uri = the IO manager's storage URI). ``uri=None`` means the same as ``name``, as in
    Airflow; ``group`` defaults to Airflow's own default."""

    name: str
    uri: str | None = None
    group: str = "asset"
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AirflowTaskOptions:
    """What ``airflow_task`` pins on an asset's task."""

    task_id: str | None = None
    arguments: tuple[tuple[str, Any], ...] = ()
    assets: tuple[tuple[AssetKey, AirflowAssetRef], ...] = ()

    def asset_ref(self, key: AssetKey) -> AirflowAssetRef | None:
        return next((ref for k, ref in self.assets if k == key), None)


@dataclass(frozen=True)
class AirflowDagOptions:
    """What ``airflow_dag`` pins on a job's DAG."""

    dag_id: str
    arguments: tuple[tuple[str, Any], ...] = ()


def check_airflow_id(value: object, what: str) -> str:
    if not isinstance(value, str) or not _AIRFLOW_ID.match(value):
        raise DefinitionError(
            f"{what} {value!r} is not a valid Airflow id: use 1 to 250 letters, digits, "
            "'_', '.' or '-'."
        )
    return value


def task_options(assets_def: Any) -> AirflowTaskOptions | None:
    """The ``airflow_task`` options of a definition (``None`` for plain ones)."""
    return getattr(assets_def, "airflow", None)


def task_id_of(step_name: str, assets_def: Any) -> str:
    """The task id of an execution step: the pinned one, else the step (node) name."""
    options = task_options(assets_def)
    return options.task_id if options is not None and options.task_id else step_name
