"""execute_in_process raises the user's own exception, as Dagster's does (snippets also run under
Dagster 1.13.29: ValueError and Failure come out as themselves); errors of IO managers and
resources stay asset2airflow's, which name them."""

from __future__ import annotations

import pytest

from asset2airflow import (
    Definitions,
    Failure,
    UserCodeError,
    asset,
    define_asset_job,
    job,
    op,
)


@op
def fail() -> None:
    raise Failure(description="it failed", metadata={"rows": 1})


@job
def fail_job() -> None:
    fail()


def test_failure_comes_out_as_itself() -> None:
    with pytest.raises(Failure) as raised:
        fail_job.execute_in_process()
    assert raised.value.description == "it failed"
    assert set(raised.value.metadata) == {"rows"}


def test_raise_on_error_false_returns_the_failed_result() -> None:
    result = fail_job.execute_in_process(raise_on_error=False)
    assert not result.success and isinstance(result.errors[0], UserCodeError)


@asset
def bad() -> int:
    raise ValueError("bad asset")


def test_an_asset_jobs_execute_in_process_raises_the_assets_exception() -> None:
    defs = Definitions(assets=[bad], jobs=[define_asset_job("bad_job", [bad])])
    with pytest.raises(ValueError, match="bad asset"):
        defs.get_job_def("bad_job").execute_in_process()


@op
def one_op() -> int:
    return 1


@op
def boom_op(x: int) -> int:
    raise ValueError("x")


@job
def events_job() -> None:
    boom_op(one_op())


def test_result_events_as_dagsters_docs_read_them() -> None:
    from asset2airflow import DagsterEventType, ExecuteInProcessResult

    result = events_job.execute_in_process(raise_on_error=False)
    assert isinstance(result, ExecuteInProcessResult)
    # Dagster also lists HANDLED_OUTPUT / LOADED_INPUT / STEP_INPUT between these.
    assert [e.event_type_value for e in result.events_for_node("one_op")] == [
        "STEP_START",
        "STEP_OUTPUT",
        "STEP_SUCCESS",
    ]
    failed = result.filter_events(lambda e: e.event_type == DagsterEventType.STEP_FAILURE)
    assert [e.node_name for e in failed] == ["boom_op"]
    assert len([e for e in result.all_events if e.event_type_value == "STEP_SUCCESS"]) == 1
