"""``asset2airflow status``: rows from task instances and their XCom reports (the REST calls
are exercised against a real airflow standalone in tests/e2e/test_fused_standalone.py)."""

from __future__ import annotations

from asset2airflow.airflow.record import (
    AssetRun,
    AssetStatus,
    RunRecord,
    TaskKind,
    TryOutcome,
)
from asset2airflow.cli.run_status import asset_rows, format_rows


def test_a_fused_run_record_gives_a_row_per_asset_with_its_try_and_error() -> None:
    record = RunRecord(
        TaskKind.FUSED,
        "materialize",
        2,
        None,
        TryOutcome.FAILED,
        (
            AssetRun("b", AssetStatus.FAILED, None, 2, error="boom"),
            AssetRun("a", AssetStatus.MATERIALIZED, None, 1),
            AssetRun("c", AssetStatus.NOT_SELECTED, None, 2),
        ),
    )
    assert asset_rows("materialize", "failed", record.to_json()) == [
        ("a", "materialized", "materialize", "try 1"),
        ("b", "failed", "materialize", "try 2: boom"),
        ("c", "not_selected", "materialize", "try 2"),
    ]


def test_a_version_1_report_of_a_task_per_asset_still_gives_its_rows() -> None:
    extra = {"metadata": {}, "checks": [], "partition": None}
    ok = {
        "step": "raw",
        "materializations": {"sales/raw": extra, "sales/clean": extra},
        "checks": [],
        "error": None,
        "duration_seconds": 0.1,
    }
    assert [r[:2] for r in asset_rows("raw", "success", ok)] == [
        ("sales/clean", "materialized"),
        ("sales/raw", "materialized"),
    ]
    failed = {**ok, "materializations": {}, "error": "division by zero"}
    assert asset_rows("report", "failed", failed) == [("-", "failed", "report", "division by zero")]
    assert asset_rows("later", "upstream_failed", None) == [("-", "upstream_failed", "later", "")]


def test_rows_are_aligned_columns_under_a_header() -> None:
    text = format_rows(
        [("a_long_asset", "materialized", "materialize", "try 1"), ("b", "x", "t", "")]
    )
    lines = text.splitlines()
    assert lines[0].split() == ["asset", "status", "task", "detail"]
    assert lines[1].index("materialized") == lines[0].index("status")
    assert lines[2] == "b             x             t"


def test_a_record_of_a_newer_version_says_which_version_it_needs() -> None:
    [row] = asset_rows("t", "success", {"version": 7})
    assert row[:3] == ("-", "success", "t") and "version 7" in row[3]
