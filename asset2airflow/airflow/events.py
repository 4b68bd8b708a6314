"""What a step's outcome becomes in Airflow: the JSON kept in asset event ``extra`` and in XCom.
No Airflow imports; plain JSON so the plugin (and anyone) can read it back.

Asset event ``extra`` of one materialized asset::

    {"metadata": {"<key>": {"type": "int" | "float" | "text" | "md" | "json" | "url" | "path"
                            | "bool" | "null" | "table" | "timestamp", "value": ...}, ...},
     "checks": [{"asset", "name", "passed", "severity": "ERROR" | "WARN", "blocking",
                 "description", "metadata": {...}}, ...],
     "partition": "<partition key>" | null}

Everything is strict JSON (NaN/infinite floats are the strings "NaN"/"Infinity"/"-Infinity",
timestamps ISO-8601 strings in UTC); ``ensure_strict_json`` refuses anything else before it
reaches Airflow.
"""

from __future__ import annotations

import json
from typing import Any

from asset2airflow.definitions.metadata import metadata_to_json
from asset2airflow.definitions.results import AssetCheckEvaluation
from asset2airflow.errors import InvalidMetadataError
from asset2airflow.execution.step import StepOutcome

XCOM_KEY = "asset2airflow"


def check_to_json(evaluation: AssetCheckEvaluation) -> dict[str, Any]:
    return {
        "asset": evaluation.asset_key.to_user_string(),
        "name": evaluation.check_name,
        "passed": evaluation.passed,
        "severity": evaluation.severity.value,
        "blocking": evaluation.blocking,
        "description": evaluation.description,
        "metadata": metadata_to_json(evaluation.metadata),
    }


def event_extras(outcome: StepOutcome) -> dict[str, dict[str, Any]]:
    """Per materialized asset (by key string): ``{"metadata", "checks", "partition"}``."""
    extras: dict[str, dict[str, Any]] = {}
    for materialization in outcome.materializations:
        key = materialization.asset_key
        extras[key.to_user_string()] = {
            "metadata": metadata_to_json(materialization.metadata),
            "checks": [check_to_json(e) for e in outcome.check_evaluations if e.asset_key == key],
            "partition": materialization.partition,
        }
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


def ensure_strict_json(value: Any, what: str) -> Any:
    """``value`` if Airflow can store it (strict JSON), else an error naming ``what``."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidMetadataError(
            f"the results of {what} cannot be stored by Airflow ({exc}); a metadata value was "
            "built with MetadataValue(kind, value) directly: use the MetadataValue.<kind>(...) "
            "constructors or plain values, which are converted to JSON."
        ) from exc
    return value
