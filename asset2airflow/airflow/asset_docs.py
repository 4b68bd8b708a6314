"""What Airflow keeps about each asset beyond its ``Asset`` (name, uri, group, static metadata):
description, owners, kinds, tags, code version, partitions and check definitions, as one JSON
string on the task that materializes it (``AssetStepOperator.asset_docs``, a serialized field).

The DAG processor stores it with the serialized DAG, so the Airflow plugin reads it from
Airflow's metadata DB like everything else it shows: it never imports asset modules and cannot
drift from what Airflow parsed. ``partitions_to_json``/``partitions_from_json`` are the one
translation of a partitions definition to JSON and back. No Airflow imports.

Shape (keys sorted, so a DAG serializes identically on every parse)::

    {"version": 1, "assets": [{"key": "sales/raw", "description": str | null,
      "owners": [...], "kinds": [...], "tags": {...}, "code_version": str | null,
      "partitions": <partitions_to_json> | null,
      "checks": [{"name": str, "description": str | null, "blocking": bool}, ...]}, ...]}
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from asset2airflow.asset_graph.graph import AssetGraph
from asset2airflow.authoring.dynamic_partitions import DynamicPartitionsDefinition
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.authoring.multi_partitions import MultiPartitionsDefinition
from asset2airflow.authoring.partitions import PartitionsDefinition, StaticPartitionsDefinition
from asset2airflow.authoring.time_partitions import TimeWindowPartitionsDefinition

VERSION = 1
FIELD = "asset_docs"
"""The operator attribute (and serialized field) holding the JSON."""


def asset_docs_json(graph: AssetGraph, asset_keys: Iterable[str]) -> str:
    """The JSON string for the task materializing ``asset_keys`` (user strings)."""
    assets = [_asset_doc(graph, AssetKey.from_user_string(k)) for k in asset_keys]
    return json.dumps({"version": VERSION, "assets": assets}, sort_keys=True)


def _asset_doc(graph: AssetGraph, key: AssetKey) -> dict[str, Any]:
    spec = graph.spec(key)
    checks = sorted(graph.checks_for(key), key=lambda c: c.spec.name)
    return {
        "key": key.to_user_string(),
        "description": spec.description,
        "owners": list(spec.owners),
        "kinds": sorted(spec.kinds),
        "tags": {k: spec.tags[k] for k in sorted(spec.tags)},
        "code_version": spec.code_version,
        "partitions": partitions_to_json(spec.partitions_def),
        "checks": [
            {"name": c.spec.name, "description": c.spec.description, "blocking": c.spec.blocking}
            for c in checks
        ],
    }


def parse_asset_docs(value: object) -> list[dict[str, Any]]:
    """The asset entries of a task's ``asset_docs`` value; ``[]`` for anything else (another
    operator, a version this code does not know)."""
    if not isinstance(value, str):
        return []
    try:
        data = json.loads(value)
    except ValueError:
        return []
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return []
    return [a for a in data.get("assets", []) if isinstance(a, dict) and "key" in a]


# --- partitions definitions <-> JSON -------------------------------------------------------


def partitions_to_json(definition: PartitionsDefinition | None) -> dict[str, Any] | None:
    if definition is None:
        return None
    if isinstance(definition, TimeWindowPartitionsDefinition):
        return {
            "type": "time_window",
            "cron_schedule": definition.cron_schedule,
            "start": definition.start.isoformat(),
            "end": definition.end.isoformat() if definition.end is not None else None,
            "fmt": definition.fmt,
            "timezone": definition.timezone,
            "end_offset": definition.end_offset,
        }
    if isinstance(definition, StaticPartitionsDefinition):
        return {"type": "static", "keys": definition.get_partition_keys()}
    if isinstance(definition, DynamicPartitionsDefinition):
        return {"type": "dynamic", "name": definition.name}
    if isinstance(definition, MultiPartitionsDefinition):
        return {
            "type": "multi",
            "dimensions": [
                {"name": name, "partitions": partitions_to_json(d)}
                for name, d in definition.partitions_defs.items()
            ],
        }
    return {"type": "other", "repr": repr(definition)}


def partitions_from_json(data: Mapping[str, Any] | None) -> PartitionsDefinition | None:
    """The definition ``partitions_to_json`` described; ``None`` for one it cannot rebuild."""
    if not data:
        return None
    kind = data.get("type")
    if kind == "time_window":
        end = data.get("end")
        return TimeWindowPartitionsDefinition(
            cron_schedule=str(data["cron_schedule"]),
            start=dt.datetime.fromisoformat(str(data["start"])),
            fmt=str(data["fmt"]),
            timezone=str(data.get("timezone") or "UTC"),
            end=dt.datetime.fromisoformat(str(end)) if end else None,
            end_offset=int(data.get("end_offset") or 0),
        )
    if kind == "static":
        return StaticPartitionsDefinition([str(k) for k in data.get("keys", [])])
    if kind == "dynamic":
        return DynamicPartitionsDefinition(str(data["name"]))
    if kind == "multi":
        dimensions = {}
        for dimension in data.get("dimensions", []):
            inner = partitions_from_json(dimension.get("partitions"))
            if inner is None:
                return None
            dimensions[str(dimension["name"])] = inner
        return MultiPartitionsDefinition(dimensions)
    return None


def dynamic_names_in(data: Mapping[str, Any] | None) -> list[str]:
    """The dynamic partitions definitions a ``partitions_to_json`` value refers to."""
    if not data:
        return []
    if data.get("type") == "dynamic":
        return [str(data["name"])]
    if data.get("type") == "multi":
        return [
            n for d in data.get("dimensions", []) for n in dynamic_names_in(d.get("partitions"))
        ]
    return []
