"""``ExecutionResult``: what ``materialize()`` returns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from asset2airflow.authoring.keys import AssetKey, CoercibleToAssetKey
from asset2airflow.authoring.results import AssetCheckEvaluation, AssetMaterialization
from asset2airflow.errors import Asset2AirflowError
from asset2airflow.execution.step import StepOutcome


class ExecutionResult:
    """The outcome of one run, with Dagster's accessors (``output_for_node`` and friends)."""

    def __init__(
        self,
        run_id: str,
        outcomes: Sequence[StepOutcome],
        skipped: Sequence[str],
        run_errors: Sequence[Asset2AirflowError] = (),
    ) -> None:
        self.run_id = run_id
        self.step_outcomes = list(outcomes)
        self.skipped_steps = list(skipped)
        self.run_errors = list(run_errors)
        """Errors of the run itself, not of a step (a resource's teardown)."""

    @property
    def success(self) -> bool:
        return (
            not self.skipped_steps
            and not self.run_errors
            and all(o.success for o in self.step_outcomes)
        )

    @property
    def errors(self) -> list[Asset2AirflowError]:
        return [o.error for o in self.step_outcomes if o.error is not None] + self.run_errors

    def _outcome(self, node_name: str) -> StepOutcome:
        for outcome in self.step_outcomes:
            if outcome.step.name == node_name:
                return outcome
        ran = [o.step.name for o in self.step_outcomes]
        raise KeyError(f"no step {node_name!r} ran in this run; steps that ran: {ran}")

    def output_for_node(self, node_name: str, output_name: str = "result") -> Any:
        """The value the asset function returned for ``output_name``."""
        outcome = self._outcome(node_name)
        if output_name not in outcome.values:
            raise KeyError(
                f"{node_name!r} stored no value for output {output_name!r} in this run; "
                f"outputs with values: {sorted(outcome.values)}"
            )
        return outcome.values[output_name]

    def asset_value(self, asset_key: CoercibleToAssetKey) -> Any:
        key = AssetKey.from_coercible(asset_key)
        for outcome in self.step_outcomes:
            assets_def = outcome.step.assets_def
            if assets_def is not None and key in outcome.step.asset_keys:
                return self.output_for_node(outcome.step.name, assets_def.output_name_for(key))
        raise KeyError(f"asset {key.to_user_string()!r} was not materialized in this run")

    def asset_materializations_for_node(self, node_name: str) -> list[AssetMaterialization]:
        """What ``node_name`` materialized; ``[]`` when it was skipped (its upstream failed)."""
        if node_name in self.skipped_steps:
            return []
        return list(self._outcome(node_name).materializations)

    def get_asset_materialization_events(self) -> list[AssetMaterialization]:
        return [m for o in self.step_outcomes for m in o.materializations]

    def get_asset_check_evaluations(self) -> list[AssetCheckEvaluation]:
        return [e for o in self.step_outcomes for e in o.check_evaluations]

    def __repr__(self) -> str:
        return (
            f"<ExecutionResult success={self.success} steps={len(self.step_outcomes)} "
            f"skipped={len(self.skipped_steps)}>"
        )
