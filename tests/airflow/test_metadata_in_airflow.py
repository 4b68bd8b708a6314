"""Metadata with NaN, datetimes and sets in a real Airflow 3.3 run: the task succeeds and the
asset event ``extra`` and XCom hold readable strict JSON. Before, the value was stored, then the
XCom push failed the task with an error naming nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asset2airflow.airflow.record import RunRecord
from tests.airflow.conftest import asset_events, task_states, xcom

pytestmark = pytest.mark.integration

SOURCE = """
import datetime
from decimal import Decimal

from asset2airflow import (
    AssetCheckResult, Definitions, MaterializeResult, MetadataValue, asset, asset_check,
)
from asset2airflow.airflow import build_dags


@asset(group_name="meta_ok", metadata={"since": datetime.date(2026, 1, 1), "nan": float("nan")})
def meta_stats() -> MaterializeResult:
    return MaterializeResult(value=[1.0], metadata={
        "mean": float("nan"),
        "at": datetime.datetime(2026, 11, 1, 6, 30, tzinfo=datetime.timezone.utc),
        "tags": {"b", "a"},
        "price": Decimal("9.50"),
        "stats": {"max": float("inf"), "seen": {2, 1}},
        "table": MetadataValue.table([{"x": float("-inf")}]),
    })


@asset_check(asset=meta_stats)
def meta_stats_spread() -> AssetCheckResult:
    return AssetCheckResult(passed=True, metadata={"spread": float("nan")})


@asset(group_name="meta_bad")
def meta_broken() -> MaterializeResult:
    return MaterializeResult(value=1, metadata={"client": object()})


build_dags(Definitions(assets=[meta_stats, meta_broken], asset_checks=[meta_stats_spread]))
"""


@pytest.fixture
def dags(load_dag_file: Callable[..., Any]) -> dict[str, Any]:
    return dict(load_dag_file("metadata_values.py", SOURCE))


def test_nan_datetime_and_set_metadata_reach_the_asset_event_readably(
    dags: dict[str, Any], asset2airflow_home: Path
) -> None:
    dag = dags["meta_ok"]
    [outlet] = dag.get_task("meta_stats").outlets  # static metadata: the Asset's extra
    assert outlet.extra["nan"] == {"type": "float", "value": "NaN"}
    assert outlet.extra["since"] == {"type": "timestamp", "value": "2026-01-01T00:00:00+00:00"}

    run = dag.test()
    assert run.state == "success"
    assert set(task_states(run).values()) == {"success"}
    assert (asset2airflow_home / "storage" / "meta_stats.pickle").exists()
    [event] = asset_events("meta_stats")
    assert event["metadata"]["mean"] == {"type": "float", "value": "NaN"}
    assert event["metadata"]["at"] == {"type": "timestamp", "value": "2026-11-01T06:30:00+00:00"}
    assert event["metadata"]["tags"] == {"type": "json", "value": ["a", "b"]}
    assert event["metadata"]["price"] == {"type": "float", "value": 9.5}
    assert event["metadata"]["stats"]["value"] == {"max": "Infinity", "seen": [1, 2]}
    assert event["metadata"]["table"]["value"]["records"] == [{"x": "-Infinity"}]
    [check] = event["checks"]
    assert check["metadata"]["spread"] == {"type": "float", "value": "NaN"}
    assert event["partition"] is None

    pushed = xcom(run, "meta_stats", "asset2airflow")
    pushed = json.loads(pushed) if isinstance(pushed, str) else pushed
    materialized = RunRecord.from_json(pushed).asset("meta_stats")
    assert materialized is not None and materialized.event_extra().to_json() == event
    json.dumps(pushed, allow_nan=False)


def test_unstorable_metadata_fails_the_task_naming_asset_and_key_and_stores_nothing(
    dags: dict[str, Any], asset2airflow_home: Path
) -> None:
    run = dags["meta_bad"].test()
    assert run.state == "failed"
    assert task_states(run) == {"meta_broken": "failed"}
    assert asset_events("meta_broken") == []
    assert not list((asset2airflow_home / "storage").glob("meta_broken*"))
    pushed = xcom(run, "meta_broken", "asset2airflow")
    pushed = json.loads(pushed) if isinstance(pushed, str) else pushed
    assert "asset 'meta_broken'" in pushed["error"]
    assert "metadata 'client'" in pushed["error"]
