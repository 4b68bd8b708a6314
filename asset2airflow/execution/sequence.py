"""Run asset steps one after another in dependency order, on the step loop shared with the op
engine (``step_loop.run_steps``): what ``materialize()`` and the fused Airflow task
(``asset2airflow.airflow.fused``) run, so both skip, stop and continue alike.

A step is skipped when an asset it reads was not produced in this sequence (its step failed,
was skipped, or a blocking check held it back); steps that do not depend on a failure still run
unless ``stop_on_error``. Steps named in ``done`` are not run and their assets count as
available: their values are in storage from an earlier attempt.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from asset2airflow.asset_graph.graph import AssetGraph
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.errors import Asset2AirflowError, BlockingCheckFailedError
from asset2airflow.execution.plan import ExecutionStep
from asset2airflow.execution.run_events import Listener, RunEvent
from asset2airflow.execution.step import RunEnvironment, StepOutcome, run_step
from asset2airflow.execution.step_loop import run_steps

AssetRunEvent = RunEvent[ExecutionStep, StepOutcome]
"""What the asset engine's step loop emits (see ``run_events``)."""
RunListener = Listener[ExecutionStep, StepOutcome]


@dataclass
class SequenceResult:
    outcomes: list[StepOutcome] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Names of the steps not run because an input was not produced."""


def run_in_order(
    env: RunEnvironment,
    steps: Sequence[ExecutionStep],
    *,
    stop_on_error: bool,
    listener: RunListener | None = None,
    done: Collection[str] = (),
) -> SequenceResult:
    """Run ``steps`` (already in dependency order) on the shared step loop. With
    ``stop_on_error`` the first failure (or failed blocking check) is raised; otherwise every
    step that can run, runs."""
    driver = _AssetDriver(env)
    todo = [step for step in steps if step.name not in done]
    run_steps(todo, driver, stop_on_error=stop_on_error, listener=listener)
    return driver.result


class _AssetDriver:
    """Asset steps for ``run_steps``: a step is skipped when an asset it reads is unavailable
    (not produced in this sequence, or held back by a failed blocking check)."""

    def __init__(self, env: RunEnvironment) -> None:
        self.env = env
        self.result = SequenceResult()
        self.unavailable: set[AssetKey] = set()

    def skip_reason(self, step: ExecutionStep) -> str | None:
        if any(key in self.unavailable for key in step.reads):
            return "an asset it reads was not produced"
        return None

    def skipped(self, step: ExecutionStep, reason: str) -> None:
        self.result.skipped.append(step.name)
        self.unavailable.update(step.asset_keys)

    def run(self, step: ExecutionStep) -> StepOutcome:
        return run_step(self.env, step)

    def finished(self, step: ExecutionStep, outcome: StepOutcome) -> Asset2AirflowError | None:
        self.result.outcomes.append(outcome)
        produced = {m.asset_key for m in outcome.materializations}
        self.unavailable.update(set(step.asset_keys) - produced)
        self.unavailable.update(outcome.blocked_keys)
        if outcome.error is not None:
            return outcome.error
        if outcome.blocked_keys:
            return BlockingCheckFailedError(blocking_message(outcome, self.env.graph))
        return None


def blocking_message(outcome: StepOutcome, graph: AssetGraph) -> str:
    """Which blocking checks failed and which downstream assets therefore did not run."""
    failed = [
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for e in outcome.check_evaluations
        if e.blocks_downstream
    ]
    downstream = sorted(
        k.to_user_string()
        for k in graph.downstream_closure(sorted(outcome.blocked_keys))
        if k not in outcome.blocked_keys
    )
    held = f"; downstream assets not run: {downstream}" if downstream else ""
    return f"blocking check failed: {failed}{held}. Fix the data or the check, then re-run."
