"""Turning check results into evaluations, matching each result to the spec it reports on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from asset2airflow.authoring.checks import AssetChecksDefinition
from asset2airflow.authoring.metadata import MetadataValue
from asset2airflow.authoring.results import (
    AssetCheckEvaluation,
    AssetCheckResult,
    AssetCheckSeverity,
)
from asset2airflow.authoring.specs import AssetCheckSpec
from asset2airflow.errors import OutputMismatchError

if TYPE_CHECKING:
    from asset2airflow.execution.plan import ExecutionStep


def evaluation(spec: AssetCheckSpec, result: AssetCheckResult) -> AssetCheckEvaluation:
    return AssetCheckEvaluation(
        asset_key=spec.asset_key,
        check_name=spec.name,
        passed=result.passed,
        severity=result.severity,
        metadata=dict(result.metadata),
        description=result.description or spec.description,
        blocking=spec.blocking,
    )


def errored_evaluation(spec: AssetCheckSpec, error: BaseException) -> AssetCheckEvaluation:
    """A check whose code raised counts as failed with ERROR severity."""
    return AssetCheckEvaluation(
        asset_key=spec.asset_key,
        check_name=spec.name,
        passed=False,
        severity=AssetCheckSeverity.ERROR,
        metadata={"error": MetadataValue.text(str(error))},
        description=spec.description,
        blocking=spec.blocking,
    )


def _match(result: AssetCheckResult, specs: Sequence[AssetCheckSpec], owner: str) -> AssetCheckSpec:
    candidates = [
        s
        for s in specs
        if (result.asset_key is None or s.asset_key == result.asset_key)
        and (result.check_name is None or s.name == result.check_name)
    ]
    if len(candidates) != 1:
        declared = [s.key.to_user_string() for s in specs]
        named = f"{result.asset_key or '?'}:{result.check_name or '?'}"
        reason = "matches no declared check" if not candidates else "matches several checks"
        raise OutputMismatchError(
            f"{owner} returned an AssetCheckResult ({named}) that {reason}; declared checks: "
            f"{declared}. Set asset_key= and check_name= on the result."
        )
    return candidates[0]


def evaluate_check_results(
    step: ExecutionStep, results: Sequence[AssetCheckResult]
) -> list[AssetCheckEvaluation]:
    """Evaluations of in-asset checks (``check_specs``); every selected spec needs a result."""
    assets_def = step.assets_def
    if assets_def is None:
        return []
    owner = f"asset {assets_def.node_name!r}"
    selected = [c.spec for c in step.checks if c.in_asset]
    evaluations = []
    for result in results:
        spec = _match(result, assets_def.check_specs, owner)
        if spec in selected:
            evaluations.append(evaluation(spec, result))
    reported = {(e.asset_key, e.check_name) for e in evaluations}
    missing = [s.key.to_user_string() for s in selected if (s.asset_key, s.name) not in reported]
    if missing:
        raise OutputMismatchError(
            f"{owner} declares checks {missing} in check_specs but returned no result for them; "
            "return MaterializeResult(check_results=[AssetCheckResult(...)]) for each."
        )
    return evaluations


def run_check_definition(definition: AssetChecksDefinition, returned: Any) -> AssetCheckEvaluation:
    """The evaluation of an ``@asset_check`` from what its function returned."""
    owner = f"asset check {definition.key.to_user_string()!r}"
    if not isinstance(returned, AssetCheckResult):
        raise OutputMismatchError(
            f"{owner} returned {type(returned).__name__}; return AssetCheckResult(passed=...)"
        )
    spec = _match(returned, [definition.spec], owner)
    return evaluation(spec, returned)
