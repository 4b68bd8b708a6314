"""The events a run's step loop emits, as Dagster names them (``DagsterEventType``).

Both engines (assets and ops) emit the same kinds: a listener (the CLI's progress display, the
fused Airflow task's log and checkpoint) receives ``RunEvent``s as steps start, succeed, fail or
are skipped; an op job's result lists them as ``NodeEvent``s (``result.all_node_events``), with
the outputs and expectation results in between.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

StepT = TypeVar("StepT")
OutcomeT = TypeVar("OutcomeT")


class StepEventType(enum.Enum):
    """What happened to a step; values are Dagster's ``event_type_value`` strings."""

    STEP_START = "STEP_START"
    STEP_OUTPUT = "STEP_OUTPUT"
    STEP_EXPECTATION_RESULT = "STEP_EXPECTATION_RESULT"
    STEP_SUCCESS = "STEP_SUCCESS"
    STEP_FAILURE = "STEP_FAILURE"
    STEP_SKIPPED = "STEP_SKIPPED"

    @classmethod
    def ended(cls, success: bool) -> StepEventType:
        """How a step that ran ended."""
        return cls.STEP_SUCCESS if success else cls.STEP_FAILURE


@dataclass(frozen=True)
class RunEvent(Generic[StepT, OutcomeT]):
    """Progress of a run, for live displays: ``kind`` is ``STEP_START`` (``outcome`` is
    ``None``), ``STEP_SUCCESS``/``STEP_FAILURE`` (with the step's outcome; a failed blocking
    check is a failure) or ``STEP_SKIPPED`` (an input was not produced; no outcome)."""

    kind: StepEventType
    step: StepT
    """The step: an ``ExecutionStep`` (asset engine) or an ``OpStep`` (op engine)."""
    outcome: OutcomeT | None = None
    """Its ``StepOutcome`` or ``OpOutcome`` once it ran."""


Listener = Callable[[RunEvent[StepT, OutcomeT]], None]
