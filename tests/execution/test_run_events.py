"""The events a run emits are one Enum (``StepEventType``, Dagster's names) for both engines:
the asset loop's listener gets start/success/failure/skipped; an op job's result lists the same
kinds, with outputs and expectations in between."""

from __future__ import annotations

from asset2airflow import Definitions, asset, job, op
from asset2airflow.execution import RunEvent, StepEventType, execute_definitions
from asset2airflow.execution.sequence import AssetRunEvent


@asset
def source() -> int:
    return 1


@asset
def broken(source: int) -> int:
    raise ValueError("no")


@asset
def after_broken(broken: int) -> int:
    return broken


def test_the_asset_loop_emits_enum_events_in_order() -> None:
    events: list[AssetRunEvent] = []
    defs = Definitions(assets=[source, broken, after_broken])
    result = execute_definitions(defs, raise_on_error=False, listener=events.append)
    assert not result.success
    assert [(e.kind, e.step.name) for e in events] == [
        (StepEventType.STEP_START, "source"),
        (StepEventType.STEP_SUCCESS, "source"),
        (StepEventType.STEP_START, "broken"),
        (StepEventType.STEP_FAILURE, "broken"),
        (StepEventType.STEP_SKIPPED, "after_broken"),
    ]
    assert all(isinstance(e, RunEvent) for e in events)
    ended = [
        e for e in events if e.kind in (StepEventType.STEP_SUCCESS, StepEventType.STEP_FAILURE)
    ]
    assert all(e.outcome is not None and e.outcome.step is e.step for e in ended)


@op
def one() -> int:
    return 1


@op
def fails(one: int) -> int:
    raise ValueError("no")


@job
def failing_job() -> None:
    fails(one())


def test_op_job_events_use_the_same_enum_and_keep_dagster_strings() -> None:
    result = failing_job.execute_in_process(raise_on_error=False)
    kinds = [(e.node_name, e.event_type) for e in result.all_node_events]
    assert kinds == [
        ("one", StepEventType.STEP_START),
        ("one", StepEventType.STEP_OUTPUT),
        ("one", StepEventType.STEP_SUCCESS),
        ("fails", StepEventType.STEP_START),
        ("fails", StepEventType.STEP_FAILURE),
    ]
    failure = result.all_node_events[-1]
    assert failure.event_type_value == "STEP_FAILURE" and failure.is_failure
    assert "ValueError: no" in failure.message
