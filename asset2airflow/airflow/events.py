"""What a step's outcome becomes in Airflow: the JSON kept in asset event ``extra`` and in XCom.
No Airflow imports; plain JSON so the plugin (and anyone) can read it back."""

from __future__ import annotations

from typing import Any

from asset2airflow.definitions.metadata import metadata_to_json
from asset2airflow.definitions.results import AssetCheckEvaluation
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
