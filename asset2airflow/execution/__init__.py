"""The one execution engine: plans, steps, the local runner (no Airflow imports)."""

from asset2airflow.execution.plan import ExecutionPlan, ExecutionStep, build_plan
from asset2airflow.execution.result import ExecutionResult
from asset2airflow.execution.run_events import RunEvent, StepEventType
from asset2airflow.execution.runner import (
    execute_definitions,
    materialize,
    materialize_to_memory,
)
from asset2airflow.execution.step import RunEnvironment, StepOutcome, run_step

__all__ = [
    "ExecutionPlan",
    "ExecutionResult",
    "ExecutionStep",
    "RunEnvironment",
    "RunEvent",
    "StepEventType",
    "StepOutcome",
    "build_plan",
    "execute_definitions",
    "materialize",
    "materialize_to_memory",
    "run_step",
]
