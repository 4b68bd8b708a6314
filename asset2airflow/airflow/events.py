"""What a step's outcome becomes in Airflow: the JSON kept in asset event ``extra`` and in XCom.
No Airflow imports; plain JSON so the plugin (and anyone) can read it back.

Asset event ``extra`` of one materialized asset::

    {"metadata": {"<key>": {"type": "int" | "float" | "text" | "md" | "json" | "url" | "path"
                            | "bool" | "null" | "table" | "timestamp", "value": ...}, ...},
     "checks": [{"asset": "<asset key>", "name": "<check name>", "passed": bool,
                 "severity": "ERROR" | "WARN", "blocking": bool,
                 "description": str | null, "metadata": {"<key>": {"type", "value"}}}, ...],
     "partition": "<partition key>" | null,
     "code_version": "<the asset's code_version>", "data_version": "<reported>"}  # when set

Metadata values are converted to JSON where the user writes them
(``asset2airflow.authoring.metadata``): NaN and infinite floats are the strings "NaN",
"Infinity", "-Infinity" (also nested in ``json``/``table`` values), timestamps ISO-8601 strings
in UTC, sets sorted lists. XCom (key ``asset2airflow``) holds ``outcome_to_json``: the step
name, ``materializations`` (asset key -> the ``extra`` above), all ``checks``, ``error`` and
``duration_seconds``.

Airflow accepts strict JSON only and fails the task at the push, after the data was stored,
naming nothing. So every metadata value is checked again here (``_metadata_json``) and the
whole payload last (``ensure_strict_json``), both raising ``InvalidMetadataError`` naming the
asset (or check) and the key BEFORE anything is pushed: a value can still slip through when it
was built as ``MetadataValue(kind, value)`` directly or mutated after it was normalized.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from asset2airflow.authoring.metadata import MetadataValue, metadata_to_json
from asset2airflow.authoring.results import AssetCheckEvaluation
from asset2airflow.errors import InvalidMetadataError
from asset2airflow.execution.step import StepOutcome

XCOM_KEY = "asset2airflow"


def check_to_json(evaluation: AssetCheckEvaluation) -> dict[str, Any]:
    asset = evaluation.asset_key.to_user_string()
    owner = f"asset check {f'{asset}:{evaluation.check_name}'!r}"
    description = evaluation.description
    return {
        "asset": asset,
        "name": evaluation.check_name,
        "passed": bool(evaluation.passed),
        "severity": evaluation.severity.value,
        "blocking": bool(evaluation.blocking),
        "description": str(description) if description is not None else None,
        "metadata": _metadata_json(evaluation.metadata, owner),
    }


def event_extras(outcome: StepOutcome) -> dict[str, dict[str, Any]]:
    """Per materialized asset (by key string): ``{"metadata", "checks", "partition"}``."""
    extras: dict[str, dict[str, Any]] = {}
    for materialization in outcome.materializations:
        key = materialization.asset_key
        name = key.to_user_string()
        extras[name] = {
            "metadata": _metadata_json(materialization.metadata, f"asset {name!r}"),
            "checks": [check_to_json(e) for e in outcome.check_evaluations if e.asset_key == key],
            "partition": materialization.partition,
        }
        for version in ("code_version", "data_version"):
            if getattr(materialization, version) is not None:
                extras[name][version] = getattr(materialization, version)
    return extras


def outcome_to_json(outcome: StepOutcome) -> dict[str, Any]:
    """Everything the step did, for XCom (also when it failed)."""
    return {
        "step": outcome.step.name,
        "materializations": event_extras(outcome),
        "checks": [check_to_json(e) for e in outcome.check_evaluations],
        "error": str(outcome.error) if outcome.error is not None else None,
        "duration_seconds": round(outcome.duration, 6),
    }


def _metadata_json(metadata: Mapping[str, MetadataValue], owner: str) -> dict[str, Any]:
    """``metadata_to_json``, each value checked to be strict JSON so an error names the key."""
    converted = metadata_to_json(metadata)
    for key, value in converted.items():
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidMetadataError(
                f"metadata {key!r} of {owner} cannot be stored by Airflow as JSON ({exc}): "
                f"{_REMEDY}"
            ) from exc
    return converted


def ensure_strict_json(value: Any, what: str) -> Any:
    """``value`` if Airflow can store it (strict JSON), else an error naming ``what`` and where
    in ``value`` it failed (e.g. ``'materializations' -> 'sales/raw' -> 'partition'``)."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        where = " -> ".join(_first_unstorable(value) or [])
        raise InvalidMetadataError(
            f"the results of {what} cannot be stored by Airflow ({exc}"
            f"{f' at {where}' if where else ''}): {_REMEDY}"
        ) from exc
    return value


_REMEDY = (
    "a metadata value was built with MetadataValue(kind, value) directly or changed after it "
    "was set; use the MetadataValue.<kind>(...) constructors or plain values, which are "
    "converted to JSON where they are written."
)


def _first_unstorable(value: Any) -> list[str] | None:
    """The path of keys/indexes to the first item of ``value`` that is not strict JSON."""
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = [(repr(k), v) for k, v in value.items()]
        if any(not isinstance(k, (str, int, float)) and k is not None for k in value):
            return ["(a key that is not a string or number)"]
    elif isinstance(value, (list, tuple)):
        items = [(f"[{i}]", v) for i, v in enumerate(value)]
    else:
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            return [f"{type(value).__name__} {value!r}"[:80]]
        return None
    for label, item in items:
        inner = _first_unstorable(item)
        if inner is not None:
            return [label, *inner]
    return None
