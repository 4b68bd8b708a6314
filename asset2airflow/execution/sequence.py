"""Run steps one after another in dependency order: the loop shared by ``materialize()`` and the
fused Airflow task (``asset2airflow.airflow.fused``), so both skip, stop and continue alike.

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
from asset2airflow.errors import BlockingCheckFailedError
from asset2airflow.execution.plan import ExecutionStep
from asset2airflow.execution.run_events import Listener, RunEvent, StepEventType
from asset2airflow.execution.step import RunEnvironment, StepOutcome, run_step

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
    """Run ``steps`` (already in dependency order). With ``stop_on_error`` the first failure
    (or failed blocking check) is raised; otherwise every step that can run, runs."""
    result = SequenceResult()
    unavailable: set[AssetKey] = set()
    notify = listener or (lambda event: None)
    for step in steps:
        if step.name in done:
            continue
        if any(key in unavailable for key in step.reads):
            result.skipped.append(step.name)
            unavailable.update(step.asset_keys)
            notify(AssetRunEvent(StepEventType.STEP_SKIPPED, step))
            continue
        notify(AssetRunEvent(StepEventType.STEP_START, step))
        outcome = run_step(env, step)
        result.outcomes.append(outcome)
        notify(AssetRunEvent(StepEventType.ended(outcome.success), step, outcome))
        produced = {m.asset_key for m in outcome.materializations}
        unavailable.update(set(step.asset_keys) - produced)
        unavailable.update(outcome.blocked_keys)
        if stop_on_error and outcome.error is not None:
            raise outcome.error
        if stop_on_error and outcome.blocked_keys:
            raise BlockingCheckFailedError(blocking_message(outcome, env.graph))
    return result


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
