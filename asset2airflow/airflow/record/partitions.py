"""The partitions definition summary of a static asset record: the one translation of a
partitions definition to JSON (``partitions_to_json``) and back (``partitions_from_json``, used
by the plugin to list the keys without importing the asset module). No Airflow imports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from asset2airflow.authoring.dynamic_partitions import DynamicPartitionsDefinition
from asset2airflow.authoring.multi_partitions import MultiPartitionsDefinition
from asset2airflow.authoring.partitions import PartitionsDefinition, StaticPartitionsDefinition
from asset2airflow.authoring.time_partitions import TimeWindowPartitionsDefinition


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
