"""Generated DAGs in a real Airflow 3.3: DagBag structure and dag.test() runs."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asset2airflow.airflow.record import AssetStatus, RunRecord
from tests.airflow.conftest import asset_events, task_states, xcom

pytestmark = pytest.mark.integration


def test_sales_dag_structure(sales_dag_file: Path, load_dag_file: Callable[..., Any]) -> None:
    dags = load_dag_file(sales_dag_file.name, sales_dag_file.read_text())
    dag = dags["sales"]
    assert sorted(dag.task_ids) == ["cleaned_sales", "daily_sales_summary", "raw_sales"]
    assert dag.get_task("cleaned_sales").upstream_task_ids == {"raw_sales"}
    assert dag.get_task("daily_sales_summary").upstream_task_ids == {"cleaned_sales"}
    [outlet] = dag.get_task("raw_sales").outlets
    assert outlet.name == "raw_sales" and outlet.group == "sales"
    assert outlet.uri.startswith("file://") and outlet.uri.endswith("/raw_sales.parquet")
    assert dag.schedule is None
    assert "kind:pandas" in dag.tags
    assert dag.get_task("raw_sales").owner == "data-team@example.com"
    assert "Extract raw sales" in dag.get_task("raw_sales").doc_md
    assert dag.params.get_param("assets").schema["items"]["enum"] == [
        "cleaned_sales",
        "daily_sales_summary",
        "raw_sales",
    ]


def test_sales_dag_test_run_stores_data_and_records_checks(
    sales_dag_file: Path, load_dag_file: Callable[..., Any], asset2airflow_home: Path
) -> None:
    dag = load_dag_file(sales_dag_file.name, sales_dag_file.read_text())["sales"]
    run = dag.test()
    assert run.state == "success"
    assert task_states(run) == dict.fromkeys(
        ["raw_sales", "cleaned_sales", "daily_sales_summary"], "success"
    )
    import pandas as pd

    summary = pd.read_parquet(asset2airflow_home / "storage" / "daily_sales_summary.parquet")
    assert summary["amount"].tolist() == [200.5, 145.24, 258.3]
    [*_, cleaned_event] = asset_events("cleaned_sales")
    [check] = cleaned_event["checks"]
    assert check["name"] == "amounts_are_positive" and check["passed"] and check["blocking"]
    [*_, raw_event] = asset_events("raw_sales")
    assert raw_event["metadata"]["row_count"] == {"type": "int", "value": 9}
    step = xcom(run, "cleaned_sales", "asset2airflow")
    [pushed] = RunRecord.from_json(json.loads(step) if isinstance(step, str) else step).checks
    assert pushed.metadata["non_positive_rows"]["value"] == 0


BLOCKING = """
from asset2airflow import AssetCheckResult, Config, Definitions, asset, asset_check
from asset2airflow.airflow import build_dags

class Flags(Config):
    fail_check: bool = False

@asset(group_name="blocking_demo")
def numbers(config: Flags) -> list:
    return [-1] if config.fail_check else [1, 2]

@asset(group_name="blocking_demo")
def doubled(numbers: list) -> list:
    return [n * 2 for n in numbers]

@asset(group_name="blocking_downstream")
def total(numbers: list) -> int:
    return sum(numbers)

@asset_check(asset=numbers, blocking=True)
def positive(numbers: list) -> AssetCheckResult:
    return AssetCheckResult(passed=all(n > 0 for n in numbers))

build_dags(Definitions(assets=[numbers, doubled, total], asset_checks=[positive]))
"""


def test_failing_blocking_check_fails_task_and_emits_no_event(
    load_dag_file: Callable[..., Any],
) -> None:
    dags = load_dag_file("blocking_demo.py", BLOCKING)
    assert [a.name for a in dags["blocking_downstream"].timetable.asset_condition.objects] == [
        "numbers"
    ]
    dag = dags["blocking_demo"]
    before = len(asset_events("numbers"))
    run = dag.test(run_conf={"numbers__fail_check": True})
    assert run.state == "failed"
    assert task_states(run) == {"numbers": "failed", "doubled": "upstream_failed"}
    assert len(asset_events("numbers")) == before  # no event: the other DAG is not triggered
    step = xcom(run, "numbers", "asset2airflow")
    record = RunRecord.from_json(json.loads(step) if isinstance(step, str) else step)
    assert [c.passed for c in record.checks] == [False]
    assert record.assets[0].status is AssetStatus.BLOCKED
    ok = dag.test(run_conf={"numbers__fail_check": False})
    assert ok.state == "success" and len(asset_events("numbers")) == before + 1


def test_asset_subset_param_skips_unselected_and_reads_storage(
    load_dag_file: Callable[..., Any],
) -> None:
    dag = load_dag_file("blocking_demo.py", BLOCKING)["blocking_demo"]
    assert dag.test().state == "success"
    run = dag.test(run_conf={"assets": ["doubled"]})
    assert run.state == "success"
    assert task_states(run) == {"numbers": "skipped", "doubled": "success"}


def test_bad_param_value_is_rejected_naming_the_param(load_dag_file: Callable[..., Any]) -> None:
    dag = load_dag_file("blocking_demo.py", BLOCKING)["blocking_demo"]
    with pytest.raises(Exception, match="numbers__fail_check") as info:
        dag.test(run_conf={"numbers__fail_check": "not a bool"})
    assert "boolean" in str(info.value)


ENV_DAG = """
from asset2airflow import ConfigurableResource, Definitions, EnvVar, asset
from asset2airflow.airflow import build_dags


class Api(ConfigurableResource):
    token: str


@asset(group_name="env_demo")
def env_token(api: Api) -> str:
    return api.token


build_dags(Definitions(assets=[env_token], resources={"api": Api(token=EnvVar("ENV_DEMO_TOKEN"))}))
"""


def test_env_var_is_read_in_the_task_not_at_parse_time(
    load_dag_file: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, asset2airflow_home: Path
) -> None:
    import pickle

    monkeypatch.delenv("ENV_DEMO_TOKEN", raising=False)
    dag = load_dag_file("env_demo.py", ENV_DAG)["env_demo"]  # parses without the variable
    failed = dag.test()
    assert failed.state == "failed"
    step = xcom(failed, "env_token", "asset2airflow")
    step = json.loads(step) if isinstance(step, str) else step
    assert "'ENV_DEMO_TOKEN'" in step["error"] and "resource 'api'" in step["error"]
    monkeypatch.setenv("ENV_DEMO_TOKEN", "s3cret")
    assert dag.test().state == "success"
    stored = (asset2airflow_home / "storage" / "env_token.pickle").read_bytes()
    assert pickle.loads(stored) == "s3cret"


def test_retry_requested_retries_inside_the_task_and_run_tags_name_the_dag_run(
    load_dag_file: Callable[..., Any], tmp_path: Path
) -> None:
    dag = load_dag_file(
        "retry_requested.py",
        f"""
        from pathlib import Path
        from asset2airflow import AssetExecutionContext, Definitions, RetryRequested, asset
        from asset2airflow.airflow import build_dags

        MARKER = Path({str(tmp_path / "attempts")!r})

        @asset(group_name="retry_requested")
        def flaky_source(context: AssetExecutionContext) -> str:
            attempts = int(MARKER.read_text()) if MARKER.exists() else 0
            MARKER.write_text(str(attempts + 1))
            if attempts == 0:
                raise RetryRequested(max_retries=2, seconds_to_wait=0)
            return context.run.tags["airflow/dag_id"] + " " + context.run.tags["airflow/task_id"]

        build_dags(Definitions(assets=[flaky_source]))
        """,
    )["retry_requested"]
    assert dag.get_task("flaky_source").retries == 0  # no Airflow retries: the engine retried
    run = dag.test()
    assert run.state == "success"
    assert (tmp_path / "attempts").read_text() == "2"
    [*_, event] = asset_events("flaky_source")
    stored = Path(event["metadata"]["path"]["value"])
    assert pickle.loads(stored.read_bytes()) == "retry_requested flaky_source"  # context.run.tags


def test_a_failing_resource_fails_the_task_naming_it_after_reporting_the_step(
    load_dag_file: Callable[..., Any],
) -> None:
    dag = load_dag_file(
        "teardown_fails.py",
        """
        from asset2airflow import ConfigurableResource, Definitions, asset
        from asset2airflow.airflow import build_dags

        class Session(ConfigurableResource):
            def teardown_after_execution(self, context) -> None:
                raise RuntimeError("cannot close session")

        @asset(group_name="teardown_fails")
        def uses_session(session: Session) -> int:
            return 1

        build_dags(Definitions(assets=[uses_session], resources={"session": Session()}))
        """,
    )["teardown_fails"]
    run = dag.test()
    assert run.state == "failed"
    assert task_states(run) == {"uses_session": "failed"}
    step = xcom(run, "uses_session", "asset2airflow")
    record = RunRecord.from_json(json.loads(step) if isinstance(step, str) else step)
    uses_session = record.asset("uses_session")
    assert record.error is None and uses_session is not None
    assert uses_session.status is AssetStatus.MATERIALIZED
    assert asset_events("uses_session") == []  # a failed task emits no asset event
