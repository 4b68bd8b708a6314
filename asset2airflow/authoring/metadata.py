"""Metadata values attached to definitions and materializations.

Plain Python values are accepted anywhere metadata is and are normalized to ``MetadataValue``
(``.value`` gives the payload back), so code written for Dagster's ``metadata["x"].value`` works.

Metadata ends up in Airflow asset event ``extra`` and XCom, which hold strict JSON only; Airflow
finds out when it stores them, after the asset's data was written, naming nothing. So values
are converted (or refused, naming owner and key) here, where the user writes them:

==================================  ============  ==============================================
given                               type          JSON form (``to_json()["value"]``)
==================================  ============  ==============================================
datetime, date, pandas Timestamp,   timestamp     ISO-8601 string in UTC; ``.value`` is POSIX
numpy datetime64                                  seconds (Dagster); naive or date = UTC midnight
float NaN / inf / -inf              float         "NaN" / "Infinity" / "-Infinity"
Decimal                             float / text  float, or its text ("NaN") if not a finite float
numpy scalar / array                as Python     the Python scalar / a list
set, frozenset / list, tuple, dict  json          sorted list / list / object (str keys)
Enum                                of its value  its value
pathlib.Path, os.PathLike           path          string
None, pandas NA / NaT, numpy NaT    null          null
==================================  ============  ==============================================

Conversions apply inside ``json``/``table`` values too. NaN and infinities stay floats in
memory (``.value``); only their JSON form is a string. Anything else (an object, a function, a
DataFrame, bytes, a timedelta) raises ``InvalidMetadataError`` saying what to pass instead.
numpy and pandas are never imported: their types are recognized only once user code has.
"""

from __future__ import annotations

import builtins
import datetime
import decimal
import enum
import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import attrs

from asset2airflow.errors import InvalidMetadataError

_UTC = datetime.timezone.utc


@dataclass(frozen=True)
class TableColumn:
    name: str
    type: str = "string"
    description: str | None = None


def _columns(columns: Sequence[TableColumn]) -> tuple[TableColumn, ...]:
    return tuple(columns)


@attrs.frozen(slots=False)
class TableSchema:
    columns: tuple[TableColumn, ...] = attrs.field(converter=_columns)


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
        """A JSON value; sets, datetimes, numpy values... inside are converted (module table)."""
        return MetadataValue("json", _plain(value, "MetadataValue.json(...)", None))

    @staticmethod
    def timestamp(value: builtins.float | datetime.datetime) -> MetadataValue:
        """A point in time: ``.value`` is POSIX seconds (as in Dagster), the JSON form an
        ISO-8601 string in UTC. A naive datetime is taken as UTC. Checked here, so a NaN or
        out-of-range number fails where it is written, not when Airflow stores the event."""
        if isinstance(value, datetime.datetime):
            seconds = (value if value.tzinfo else value.replace(tzinfo=_UTC)).timestamp()
        else:
            seconds = builtins.float(value)
        if _iso(seconds) is None:
            raise InvalidMetadataError(
                f"MetadataValue.timestamp({value!r}) is not a point in time; pass a datetime "
                "or POSIX seconds between years 1 and 9999."
            )
        return MetadataValue("timestamp", seconds)

    @staticmethod
    def url(value: str) -> MetadataValue:
        return MetadataValue("url", str(value))

    @staticmethod
    def path(value: Any) -> MetadataValue:
        text = os.fsdecode(value) if isinstance(value, os.PathLike) else str(value)
        return MetadataValue("path", text)

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
            _plain(dict(r.data) if isinstance(r, TableRecord) else dict(r), "table", None)
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
        ``{"type": .., "value": ..}`` (non-finite floats as strings, timestamps ISO-8601)."""
        value = self.value
        if self.kind == "timestamp" and isinstance(value, (builtins.int, builtins.float)):
            value = _iso(value) or value
        return {"type": self.kind, "value": _strict(value)}

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> MetadataValue:
        """The inverse of ``to_json`` for top-level values ("NaN" of a ``float`` comes back as
        a float); strings nested in ``json`` values stay strings, as they may be real text."""
        kind, value = str(data["type"]), data["value"]
        if kind == "float" and isinstance(value, str):
            return MetadataValue(kind, builtins.float(value.replace("Infinity", "inf")))
        if kind == "timestamp" and isinstance(value, str):
            return MetadataValue(kind, datetime.datetime.fromisoformat(value).timestamp())
        return MetadataValue(kind, value)


def normalize_value(value: Any, label: str, owner: str | None = None) -> MetadataValue:
    """Turn a plain value into a ``MetadataValue`` whose JSON form is strict JSON (see the
    module table). ``label`` (the metadata key) and ``owner`` (e.g. ``asset 'sales/raw'``)
    name it in errors, because they are read in an Airflow task log far from the code."""
    if isinstance(value, MetadataValue):
        return value
    if value is None or _is_missing(value):
        return MetadataValue.null()
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, (np.generic, np.ndarray)):
        return _from_numpy(np, value, label, owner)
    if isinstance(value, enum.Enum):  # before str/int: str() of a (str, Enum) is "Cls.NAME"
        return normalize_value(value.value, label, owner)
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
        return MetadataValue.timestamp(datetime.datetime(value.year, value.month, value.day))
    if isinstance(value, decimal.Decimal):
        as_float = float(value) if value.is_finite() else math.nan  # float(sNaN) raises
        if math.isfinite(as_float):
            return MetadataValue.float(as_float)
        return MetadataValue.text(str(value))  # "NaN", "-Infinity", "1E+400": said as written
    if isinstance(value, os.PathLike):
        return MetadataValue.path(value)
    if isinstance(value, (Mapping, list, tuple, set, frozenset)):
        return MetadataValue("json", _plain(value, label, owner))
    raise _unsupported(value, label, owner)


def _from_numpy(np: Any, value: Any, label: str, owner: str | None) -> MetadataValue:
    """numpy scalars become Python scalars, arrays lists; datetime64 (whose ``.item()`` is an
    int for nanosecond units) a timestamp."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return normalize_value(value[()], label, owner)
        return MetadataValue("json", _plain(value.tolist(), label, owner))
    if isinstance(value, np.datetime64):
        moment = value.astype("datetime64[us]").item()
        if isinstance(moment, datetime.datetime):
            return MetadataValue.timestamp(moment)
        raise _unsupported(value, label, owner)
    if isinstance(value, np.timedelta64):
        raise _unsupported(value, label, owner)
    return normalize_value(value.item(), label, owner)


def _is_missing(value: Any) -> bool:
    """pandas ``NA``/``NaT`` and numpy ``NaT``: no value (``NaT`` is a datetime subclass, so
    this is asked before the datetime conversion)."""
    pd = sys.modules.get("pandas")
    if pd is not None and (value is pd.NA or value is pd.NaT):
        return True
    np = sys.modules.get("numpy")
    return (
        np is not None
        and isinstance(value, (np.datetime64, np.timedelta64))
        and builtins.bool(np.isnat(value))
    )


def _plain(value: Any, label: str, owner: str | None) -> Any:
    """``value`` as JSON-model Python data (dict/list/str/int/float/bool/None), every nested
    item converted as ``normalize_value`` would; non-finite floats stay floats (``_strict``
    writes them), timestamps become their ISO string since JSON has no time type."""
    if value is None or type(value) in (str, bool, int, float):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v, f"{label}.{k}", owner) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        items = [_plain(v, label, owner) for v in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{label}[{i}]", owner) for i, v in enumerate(value)]
    converted = normalize_value(value, label, owner)
    if converted.kind == "timestamp":
        return converted.to_json()["value"]
    return converted.value


def _strict(value: Any) -> Any:
    """``value`` with NaN/inf/-inf floats written as "NaN"/"Infinity"/"-Infinity", which
    strict JSON (all Airflow stores) has no numbers for."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strict(v) for v in value]
    return value


def _iso(seconds: builtins.float) -> str | None:
    """POSIX seconds as an ISO-8601 UTC string, or None if they are no point in time."""
    try:
        return datetime.datetime.fromtimestamp(seconds, tz=_UTC).isoformat()
    except (OverflowError, ValueError, OSError):
        return None


def _unsupported(value: Any, label: str, owner: str | None) -> InvalidMetadataError:
    shown = repr(value)
    shown = f" ({shown})" if len(shown) <= 60 and "\n" not in shown else ""  # no DataFrame dumps
    return InvalidMetadataError(
        f"metadata {label!r}{f' of {owner}' if owner else ''} has a value of type "
        f"{type(value).__name__}{shown}, which Airflow cannot store (asset event extra and "
        f"XCom hold JSON only). {_hint(value)}Metadata values can be a str, int, float, bool, "
        "None, datetime, a list/dict of those, or a MetadataValue."
    )


def _hint(value: Any) -> str:
    """What to pass instead, for the values users most often try."""
    if hasattr(value, "to_markdown") and hasattr(value, "columns"):
        return "Pass MetadataValue.md(df.head().to_markdown()) for a preview, len(df) for a size. "
    if isinstance(value, datetime.timedelta) or type(value).__name__ == "timedelta64":
        return "Pass a duration as seconds (.total_seconds()). "
    if isinstance(value, (bytes, bytearray)):
        return "Decode bytes to a str. "
    if hasattr(value, "tolist"):
        return "Pass list(...) or .tolist() of it. "
    return ""


def normalize_metadata(
    metadata: Mapping[str, Any] | None, owner: str | None = None
) -> dict[str, MetadataValue]:
    """Every value of ``metadata`` as a ``MetadataValue`` (see ``normalize_value``); ``owner``
    (e.g. ``asset 'sales/raw'``) names who the metadata belongs to in errors."""
    if not metadata:
        return {}
    return {str(k): normalize_value(v, str(k), owner) for k, v in metadata.items()}


def metadata_to_json(metadata: Mapping[str, MetadataValue]) -> dict[str, Any]:
    return {k: v.to_json() for k, v in sorted(metadata.items())}


def json_dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
