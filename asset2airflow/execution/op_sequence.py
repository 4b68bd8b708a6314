"""Run an op graph's step instances in dependency order on the step loop shared with the asset
engine (``step_loop.run_steps``): what ``execute_in_process`` and a graph asset's step run.

A step mapped over a dynamic output runs once per mapping key, in the order the keys were
yielded; the keys are read when the loop reaches the step, from what ran before it. A step
instance whose input was not produced (its dynamic input, an optional output, a skipped or
failed upstream) is skipped and recorded as a skipped ``OpOutcome``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from asset2airflow.asset_graph.op_graph import OpStep
from asset2airflow.errors import Asset2AirflowError
from asset2airflow.execution.op_step import (
    OpOutcome,
    OpRunEnvironment,
    Produced,
    execute_op_step,
    skip_reason,
    step_key,
)
from asset2airflow.execution.run_events import Listener
from asset2airflow.execution.step_loop import run_steps


@dataclass(frozen=True)
class OpStepInstance:
    """One run of ``step``: for one mapping key when it is mapped (``None`` otherwise, or
    when its dynamic input was not produced)."""

    step: OpStep
    mapping_key: str | None = None

    @property
    def name(self) -> str:
        """Dagster's step key: ``name`` or ``name[mapping_key]``."""
        return step_key(self.step.name, self.mapping_key)


class LocalIndex:
    """What step instances produced in this run (the local ``ProducedIndex``)."""

    def __init__(self) -> None:
        self._produced: dict[tuple[str, str | None], Produced] = {}

    def add(self, outcome: OpOutcome) -> None:
        if outcome.success:
            self._produced[(outcome.step.name, outcome.mapping_key)] = outcome.produced

    def produced(self, step: str, mapping_key: str | None) -> Produced | None:
        return self._produced.get((step, mapping_key))


def run_op_steps(
    env: OpRunEnvironment,
    *,
    stop_on_error: bool,
    listener: Listener[OpStepInstance, OpOutcome] | None = None,
) -> list[OpOutcome]:
    """Every step instance of ``env.graph``, run or skipped, in order. With ``stop_on_error``
    the first failure is raised."""
    driver = _OpDriver(env)
    run_steps(driver.instances(), driver, stop_on_error=stop_on_error, listener=listener)
    return driver.outcomes


class _OpDriver:
    def __init__(self, env: OpRunEnvironment) -> None:
        self.env = env
        self.index = LocalIndex()
        self.outcomes: list[OpOutcome] = []

    def instances(self) -> Iterator[OpStepInstance]:
        """The step instances, a mapped step's keys read when the loop reaches it."""
        for step in self.env.graph.steps:
            if step.mapped_over is None:
                yield OpStepInstance(step)
                continue
            root = self.index.produced(step.mapped_over.step, None)
            keys = root.get(step.mapped_over.output) if root is not None else None
            if keys is None:
                yield OpStepInstance(step)  # skipped: its dynamic input was not produced
                continue
            for key in keys:
                yield OpStepInstance(step, key)

    def skip_reason(self, instance: OpStepInstance) -> str | None:
        return skip_reason(instance.step, instance.mapping_key, self.index)

    def skipped(self, instance: OpStepInstance, reason: str) -> None:
        self.outcomes.append(OpOutcome(instance.step, instance.mapping_key, skipped=reason))

    def run(self, instance: OpStepInstance) -> OpOutcome:
        return execute_op_step(self.env, instance.step, instance.mapping_key, self.index)

    def finished(self, instance: OpStepInstance, outcome: OpOutcome) -> Asset2AirflowError | None:
        self.outcomes.append(outcome)
        self.index.add(outcome)
        return outcome.error
