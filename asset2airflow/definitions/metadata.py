"""Metadata values attached to definitions and materializations.

Plain Python values are accepted anywhere metadata is and are normalized to ``MetadataValue``
(``.value`` gives the payload back), so code written for Dagster's ``metadata["x"].value`` works.
Every value has a JSON form (``to_json``) because metadata ends up in Airflow asset event
``extra``, which must be JSON.
"""

from __future__ import annotations

import builtins
import datetime
import decimal
import enum
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from asset2airflow.errors import InvalidMetadataError


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
        """A JSON value; sets, datetimes, NaN... inside are converted (see ``normalize_value``)."""
        return MetadataValue("json", _json_safe(value, "json", None))

    @staticmethod
    def timestamp(value: builtins.float | datetime.datetime) -> MetadataValue:
        """A point in time: ``.value`` is POSIX seconds (as in Dagster), the JSON form an
        ISO-8601 string in UTC. A naive datetime is taken as UTC."""
        if isinstance(value, datetime.datetime):
            aware = value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
            return MetadataValue("timestamp", aware.timestamp())
        return MetadataValue("timestamp", float(value))

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
        rows = [
            _json_safe(dict(r.data) if isinstance(r, TableRecord) else dict(r), "table", None)
            for r in records
        ]
        columns = (
            [{"name": c.name, "type": c.type} for c in schema.columns]
            if schema is not None
            else None
        )
        return MetadataValue("table", {"records": rows, "schema": columns})

    def to_json(self) -> dict[str, Any]:
        """The strict-JSON form kept in Airflow asset event ``extra``:
        ``{"type": .., "value": ..}``."""
        if self.kind == "float" and isinstance(self.value, builtins.float):
            return {"type": self.kind, "value": _float_json(self.value)}
        if self.kind == "timestamp":
            moment = datetime.datetime.fromtimestamp(self.value, tz=datetime.timezone.utc)
            return {"type": self.kind, "value": moment.isoformat()}
        return {"type": self.kind, "value": self.value}

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> MetadataValue:
        """The inverse of ``to_json`` (floats written as "NaN"... come back as floats)."""
        kind, value = str(data["type"]), data["value"]
        if kind == "float" and isinstance(value, str):
            return MetadataValue(kind, builtins.float(value.replace("Infinity", "inf")))
        if kind == "timestamp" and isinstance(value, str):
            return MetadataValue(kind, datetime.datetime.fromisoformat(value).timestamp())
        return MetadataValue(kind, value)


def normalize_value(value: Any, label: str, owner: str | None = None) -> MetadataValue:
    """Turn a plain value into a ``MetadataValue`` whose JSON form is strict JSON.

    ``label`` (the metadata key) and ``owner`` (e.g. ``asset 'sales/raw'``) name it in errors.
    Conversions: datetimes -> ``timestamp``, dates -> text, sets -> sorted JSON lists, Decimal
    -> float, numpy scalars/arrays -> Python values, Enum -> its value, Path -> ``path``, pandas
    NA/NaT -> null. NaN and infinities stay floats in ``.value`` and are written as the strings
    ``"NaN"``, ``"Infinity"``, ``"-Infinity"`` in JSON (Airflow stores only strict JSON).
    """
    if isinstance(value, MetadataValue):
        return value
    if value is None or _is_missing(value):
        return MetadataValue.null()
    if isinstance(value, bool):
        return MetadataValue.bool(value)
    if isinstance(value, int):
        return MetadataValue.int(value)
    if isinstance(value, float):
        return MetadataValue.float(value)
    if isinstance(value, str):
        return MetadataValue.text(value)
    if isinstance(value, datetime.datetime):
        return MetadataValue.timestamp(value)
    if isinstance(value, datetime.date):
        return MetadataValue.text(value.isoformat())
    if isinstance(value, decimal.Decimal):
        return MetadataValue.float(float(value))
    if isinstance(value, enum.Enum):
        return normalize_value(value.value, label, owner)
    if isinstance(value, PurePath):
        return MetadataValue.path(value)
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 0) == 0:
        return normalize_value(value.item(), label, owner)  # numpy scalars
    if isinstance(value, (dict, list, tuple, set, frozenset)) or hasattr(value, "tolist"):
        return MetadataValue("json", _json_safe(value, label, owner))
    raise _unsupported(value, label, owner)


def _is_missing(value: Any) -> bool:
    """pandas ``NA``/``NaT`` (and numpy ``NaT``): no value."""
    return type(value).__name__ in ("NAType", "NaTType") or (
        type(value).__name__ in ("datetime64", "timedelta64") and value != value
    )


def _unsupported(value: Any, label: str, owner: str | None) -> InvalidMetadataError:
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return InvalidMetadataError(
        f"metadata {label!r}{f' of {owner}' if owner else ''} has a value of type "
        f"{type(value).__name__} ({shown}), which cannot be stored as JSON in Airflow; pass a "
        "str, int, float, bool, datetime, a dict/list of those, or a MetadataValue (e.g. "
        "MetadataValue.md(df.head().to_markdown()) for a table preview)."
    )


def _json_safe(value: Any, label: str, owner: str | None) -> Any:
    """``value`` with every nested item converted as ``normalize_value`` would (sets sorted,
    non-finite floats as strings)."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v, f"{label}.{k}", owner) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        items = [_json_safe(v, label, owner) for v in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [_json_safe(v, label, owner) for v in value]
    if hasattr(value, "tolist") and getattr(value, "ndim", 0) != 0:
        return _json_safe(value.tolist(), label, owner)  # numpy arrays, pandas Series
    if isinstance(value, float):
        return _float_json(value)
    return normalize_value(value, label, owner).to_json()["value"]


def _float_json(value: builtins.float) -> builtins.float | str:
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"


def normalize_metadata(
    metadata: Mapping[str, Any] | None, owner: str | None = None
) -> dict[str, MetadataValue]:
    """Every value of ``metadata`` as a ``MetadataValue`` (see ``normalize_value``); ``owner``
    names who the metadata belongs to in errors."""
    if not metadata:
        return {}
    return {str(k): normalize_value(v, str(k), owner) for k, v in metadata.items()}


def metadata_to_json(metadata: Mapping[str, MetadataValue]) -> dict[str, Any]:
    return {k: v.to_json() for k, v in sorted(metadata.items())}


def json_dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
