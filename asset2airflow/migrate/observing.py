"""``observe``: see existing task DAGs as assets without changing what they do.

Call it at the end of a DAG file (or on DAGs you import)::

    observe(dag, {"extract": "raw/orders", "transform": {"outlets": ["clean/orders"],
                                                         "inlets": ["raw/orders"]}})
    observe(dag, "orders_assets.yaml")  # the same mapping in YAML, optionally under the dag id

Each task gets Airflow ``Asset`` outlets named like the assets of asset modules (the key path
joined by ``/``), so Airflow's asset graph and our plugin's lineage show them, an asset module
can depend on them with ``AssetSpec("raw/orders")`` (its DAG is then scheduled on the task
DAG), and a task DAG can be scheduled on an asset of ours with ``schedule=[Asset.ref(name=
"sales/daily_summary")]`` (``asset_refs`` writes those). The tasks' code is not touched.

Each outlet carries its static record (``asset2airflow.airflow.record``, execution
``observed``) in the ``Asset``'s ``extra`` under ``RECORD_EXTRA``: its upstream keys are the
task's observed inlets, so the plugin draws those edges (Airflow keeps no reference for an
inlet given by name).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from asset2airflow.airflow.plan import URI_SCHEME
from asset2airflow.airflow.record import RECORD_EXTRA, observed_record
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.errors import DefinitionError

Observed = str | Iterable[str] | Mapping[str, Any]


def _keys(value: Any, where: str) -> list[AssetKey]:
    items = [value] if isinstance(value, (str, AssetKey)) else list(value or ())
    try:
        return [AssetKey.from_coercible(i) for i in items]
    except (TypeError, ValueError) as exc:
        raise DefinitionError(f"observe: {where}: {exc}") from exc


def airflow_asset(key: str | AssetKey, upstream: Iterable[AssetKey] = ()) -> Any:
    """The Airflow ``Asset`` an observed task produces for ``key`` (same name as the asset of
    an asset module; its uri says no IO manager stores it), with its record (``upstream``:
    the keys the task reads)."""
    from airflow.sdk import Asset

    name = AssetKey.from_coercible(key).to_user_string()
    uri = f"{URI_SCHEME}://{name}"
    record = observed_record(name, uri, [k.to_user_string() for k in upstream])
    return Asset(name=name, uri=uri, extra={RECORD_EXTRA: record.to_json()})


def asset_refs(*keys: str | AssetKey) -> list[Any]:
    """``Asset.ref(name=...)`` for asset keys: what a task DAG's ``schedule=`` (or a task's
    ``inlets=``) lists to follow assets of asset modules."""
    from airflow.sdk import Asset

    return [Asset.ref(name=AssetKey.from_coercible(k).to_user_string()) for k in keys]


def _load(mapping: Mapping[str, Any] | str | Path, dag: Any) -> Mapping[str, Any]:
    if isinstance(mapping, (str, Path)):
        import yaml

        path = Path(mapping)
        if not path.is_absolute() and getattr(dag, "fileloc", None):
            path = Path(dag.fileloc).parent / path  # next to the DAG file, not the cwd
        try:
            loaded = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError) as exc:
            raise DefinitionError(f"observe: cannot read {path}: {exc}") from exc
        if not isinstance(loaded, Mapping):
            raise DefinitionError(f"observe: {path} must hold a mapping of task ids to assets")
        mapping = loaded
    nested = mapping.get(dag.dag_id)
    return nested if isinstance(nested, Mapping) else mapping


def observe(dag: Any, mapping: Mapping[str, Observed] | str | Path) -> Any:
    """Add asset outlets (and inlets) to tasks of ``dag``; returns the DAG.

    ``mapping`` maps a task id to an asset key, a list of keys (its outlets), or
    ``{"outlets": [...], "inlets": [...]}``; or it is a YAML file holding that mapping, at the
    top level or under the DAG's id (a relative path is next to the DAG file). An unknown task
    id is an error naming the close ones.
    """
    observed = _load(mapping, dag)
    for task_id, value in observed.items():
        if task_id not in dag.task_dict:
            close = difflib.get_close_matches(str(task_id), list(dag.task_dict), n=3)
            hint = f"; did you mean {close}?" if close else ""
            raise DefinitionError(
                f"observe: DAG {dag.dag_id!r} has no task {task_id!r}{hint} Its tasks are "
                f"{sorted(dag.task_dict)[:20]}."
            )
        where = f"task {task_id!r} of DAG {dag.dag_id!r}"
        if isinstance(value, Mapping):
            unknown = sorted(set(value) - {"outlets", "inlets"})
            if unknown:
                raise DefinitionError(
                    f"observe: {where}: unknown keys {unknown}; use outlets/inlets"
                )
            outlets = _keys(value.get("outlets"), where)
            inlets = _keys(value.get("inlets"), where)
        else:
            outlets, inlets = _keys(value, where), []
        produced = [airflow_asset(k, inlets) for k in outlets]
        _extend(dag.task_dict[task_id], "outlets", produced)
        _extend(dag.task_dict[task_id], "inlets", asset_refs(*inlets))
    return dag


def _extend(task: Any, attribute: str, values: list[Any]) -> None:
    if not values:
        return
    partial = getattr(task, "partial_kwargs", None)
    if partial is not None:  # a mapped task keeps its operator arguments there
        partial[attribute] = [*(partial.get(attribute) or []), *values]
        return
    current = list(getattr(task, attribute) or [])
    names = {getattr(v, "name", None) for v in current}
    setattr(task, attribute, [*current, *(v for v in values if v.name not in names)])
