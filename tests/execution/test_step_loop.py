"""The one step loop both engines run on (``step_loop.run_steps``): the same skip/run/stop
rules and the same events for asset steps and op step instances, one retry implementation,
one wording for a failing IO manager."""

from __future__ import annotations

from typing import Any

import pytest

from asset2airflow import (
    DynamicOut,
    DynamicOutput,
    InMemoryIOManager,
    IOManager,
    Out,
    RetryPolicy,
    asset,
    job,
    materialize,
    op,
)
from asset2airflow.errors import Asset2AirflowError, UserCodeError
from asset2airflow.execution.op_sequence import OpStepInstance, run_op_steps
from asset2airflow.execution.op_step import OpOutcome, OpRunEnvironment
from asset2airflow.execution.resources import ResourceScope
from asset2airflow.execution.run_config import ParsedRunConfig
from asset2airflow.execution.run_events import RunEvent, StepEventType
from asset2airflow.execution.step_loop import run_steps


class _Driver:
    """Steps are ints; odd ones fail, a step after a failure is skipped."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.failed = False

    def skip_reason(self, step: int) -> str | None:
        return "after a failure" if self.failed else None

    def skipped(self, step: int, reason: str) -> None:
        self.log.append(f"skipped {step}: {reason}")

    def run(self, step: int) -> str:
        self.log.append(f"run {step}")
        return "bad" if step % 2 else "good"

    def finished(self, step: int, outcome: str) -> Asset2AirflowError | None:
        self.failed = self.failed or outcome == "bad"
        return Asset2AirflowError(f"step {step} failed") if outcome == "bad" else None


def test_run_steps_skips_runs_and_stops_emitting_one_event_vocabulary() -> None:
    driver = _Driver()
    events: list[RunEvent[int, str]] = []
    run_steps([2, 3, 4], driver, stop_on_error=False, listener=events.append)
    assert driver.log == ["run 2", "run 3", "skipped 4: after a failure"]
    assert [(e.kind, e.step, e.outcome) for e in events] == [
        (StepEventType.STEP_START, 2, None),
        (StepEventType.STEP_SUCCESS, 2, "good"),
        (StepEventType.STEP_START, 3, None),
        (StepEventType.STEP_FAILURE, 3, "bad"),
        (StepEventType.STEP_SKIPPED, 4, None),
    ]
    events.clear()
    with pytest.raises(Asset2AirflowError, match="step 3 failed"):
        run_steps([3, 4], _Driver(), stop_on_error=True, listener=events.append)
    assert events[-1].kind is StepEventType.STEP_FAILURE  # the failure is emitted, then raised


@op(out=DynamicOut(str))
def parts():  # type: ignore[no-untyped-def]
    yield DynamicOutput("A", mapping_key="a")
    yield DynamicOutput("B", mapping_key="b")


@op
def lower(part: str) -> str:
    return part.lower()


@op
def broken() -> int:
    raise ValueError("no")


@op
def after(value: int) -> int:
    return value


@job
def mixed_job() -> None:
    parts().map(lower)
    after(broken())


def test_the_op_engine_emits_the_same_events_per_step_instance() -> None:
    graph = mixed_job.op_graph
    scope = ResourceScope({"io_manager": InMemoryIOManager()}, "r1", {})
    env = OpRunEnvironment(graph, scope, ParsedRunConfig({}, []), "r1", "mixed_job")
    events: list[RunEvent[OpStepInstance, OpOutcome]] = []
    outcomes = run_op_steps(env, stop_on_error=False, listener=events.append)
    assert [(e.kind, e.step.name) for e in events] == [
        (StepEventType.STEP_START, "broken"),
        (StepEventType.STEP_FAILURE, "broken"),
        (StepEventType.STEP_SKIPPED, "after"),
        (StepEventType.STEP_START, "parts"),
        (StepEventType.STEP_SUCCESS, "parts"),
        (StepEventType.STEP_START, "lower[a]"),  # mapped keys read when the loop gets there
        (StepEventType.STEP_SUCCESS, "lower[a]"),
        (StepEventType.STEP_START, "lower[b]"),
        (StepEventType.STEP_SUCCESS, "lower[b]"),
    ]
    skipped = [o for o in outcomes if o.skipped is not None]
    assert [o.step.name for o in skipped] == ["after"]
    assert "inputs ['value'] were not produced upstream" in (skipped[0].skipped or "")


class _FailingStore(IOManager):
    def handle_output(self, context: Any, obj: Any) -> None:
        raise OSError("disk full")

    def load_input(self, context: Any) -> Any:
        raise AssertionError("not reached")


def test_both_engines_word_a_failing_io_manager_alike() -> None:
    @asset(io_manager_key="store")
    def stored() -> int:
        return 1

    @op(out={"result": Out(io_manager_key="store")})
    def emitted() -> int:
        return 1

    @job(resource_defs={"store": _FailingStore()})
    def store_job() -> None:
        emitted()

    with pytest.raises(UserCodeError) as from_asset:
        materialize([stored], resources={"store": _FailingStore()})
    with pytest.raises(UserCodeError) as from_op:
        store_job.execute_in_process()
    assert "IO manager 'store' failed to store 'stored': OSError: disk full" in str(
        from_asset.value
    )
    assert (
        "IO manager 'store' failed to store output 'result' of op 'emitted' of job "
        "'store_job': OSError: disk full"
    ) in str(from_op.value)


def test_asset_and_op_retries_share_one_retry_loop() -> None:
    calls = {"asset": 0, "op": 0}

    @asset(retry_policy=RetryPolicy(max_retries=2))
    def flaky_asset() -> int:
        calls["asset"] += 1
        if calls["asset"] < 3:
            raise ValueError("not yet")
        return 1

    @op(retry_policy=RetryPolicy(max_retries=2))
    def flaky_op() -> int:
        calls["op"] += 1
        if calls["op"] < 3:
            raise ValueError("not yet")
        return 1

    @job
    def retry_job() -> None:
        flaky_op()

    assert materialize([flaky_asset]).success
    assert retry_job.execute_in_process().success
    assert calls == {"asset": 3, "op": 3}
