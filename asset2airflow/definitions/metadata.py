"""Metadata values attached to definitions and materializations.

Plain Python values are accepted anywhere metadata is and are normalized to ``MetadataValue``
(``.value`` gives the payload back), so code written for Dagster's ``metadata["x"].value`` works.
Every value has a JSON form (``to_json``) because metadata ends up in Airflow asset event
``extra``, which must be JSON.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TableColumn:
    name: str
    type: str = "string"
    description: str | None = None


@dataclass(frozen=True)
class TableSchema:
    columns: tuple[TableColumn, ...]

    def __init__(self, columns: Sequence[TableColumn]) -> None:
        object.__setattr__(self, "columns", tuple(columns))


@dataclass(frozen=True)
class TableRecord:
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MetadataValue:
    """One typed metadata value, built with the static constructors (``MetadataValue.md``)."""

    kind: str
    value: Any

    @staticmethod
    def text(value: str) -> MetadataValue:
        return MetadataValue("text", str(value))

    @staticmethod
    def md(value: str) -> MetadataValue:
        return MetadataValue("md", str(value))

    @staticmethod
    def json(value: Any) -> MetadataValue:
        json_dumps(value)  # fail now, where the user wrote it, not when the event is stored
        return MetadataValue("json", value)

    @staticmethod
    def url(value: str) -> MetadataValue:
        return MetadataValue("url", str(value))

    @staticmethod
    def path(value: Any) -> MetadataValue:
        return MetadataValue("path", str(value))

    @staticmethod
    def int(value: builtins.int) -> MetadataValue:
        return MetadataValue("int", int(value))

    @staticmethod
    def float(value: builtins.float) -> MetadataValue:
        return MetadataValue("float", float(value))

    @staticmethod
    def bool(value: builtins.bool) -> MetadataValue:
        return MetadataValue("bool", bool(value))

    @staticmethod
    def null() -> MetadataValue:
        return MetadataValue("null", None)

    @staticmethod
    def table(
        records: Sequence[TableRecord | Mapping[str, Any]], schema: TableSchema | None = None
    ) -> MetadataValue:
        rows = [dict(r.data) if isinstance(r, TableRecord) else dict(r) for r in records]
        columns = (
            [{"name": c.name, "type": c.type} for c in schema.columns]
            if schema is not None
            else None
        )
        return MetadataValue("table", {"records": rows, "schema": columns})

    def to_json(self) -> dict[str, Any]:
        """The JSON form kept in Airflow asset event ``extra``: ``{"type": .., "value": ..}``."""
        return {"type": self.kind, "value": self.value}

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> MetadataValue:
        return MetadataValue(str(data["type"]), data["value"])


def normalize_value(value: Any, label: str) -> MetadataValue:
    """Turn a plain value into a ``MetadataValue``; ``label`` names it in the error."""
    if isinstance(value, MetadataValue):
        return value
    if value is None:
        return MetadataValue.null()
    if isinstance(value, bool):
        return MetadataValue.bool(value)
    if isinstance(value, int):
        return MetadataValue.int(value)
    if isinstance(value, float):
        return MetadataValue.float(value)
    if isinstance(value, str):
        return MetadataValue.text(value)
    if isinstance(value, (dict, list, tuple)):
        try:
            return MetadataValue.json(value)
        except TypeError as exc:
            raise TypeError(f"metadata {label!r} is not JSON-serializable: {exc}") from exc
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return normalize_value(value.item(), label)
    raise TypeError(
        f"metadata {label!r} has a value of type {type(value).__name__}; use a str, int, float, "
        "bool, a JSON-serializable dict/list, or a MetadataValue."
    )


def normalize_metadata(metadata: Mapping[str, Any] | None) -> dict[str, MetadataValue]:
    if not metadata:
        return {}
    return {str(k): normalize_value(v, str(k)) for k, v in metadata.items()}


def metadata_to_json(metadata: Mapping[str, MetadataValue]) -> dict[str, Any]:
    return {k: v.to_json() for k, v in sorted(metadata.items())}


def json_dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
