"""``asset2airflow status``: rows from task instances and their XCom reports (the REST calls
are exercised against a real airflow standalone in tests/e2e/test_fused_standalone.py)."""

from __future__ import annotations

from asset2airflow.cli.run_status import asset_rows, format_rows


def test_a_fused_report_gives_a_row_per_asset_with_its_try_and_error() -> None:
    report = {
        "execution": "fused",
        "assets": {
            "b": {"status": "failed", "try_number": 2, "error": "boom"},
            "a": {"status": "materialized", "try_number": 1, "error": None},
            "c": {"status": "not_selected", "try_number": 2, "error": None},
        },
    }
    assert asset_rows("materialize", "failed", report) == [
        ("a", "materialized", "materialize", "try 1"),
        ("b", "failed", "materialize", "try 2: boom"),
        ("c", "not_selected", "materialize", "try 2"),
    ]


def test_a_task_per_asset_reports_its_materializations_or_its_state() -> None:
    ok = {"materializations": {"sales/raw": {}, "sales/clean": {}}, "error": None}
    assert [r[:2] for r in asset_rows("raw", "success", ok)] == [
        ("sales/clean", "materialized"),
        ("sales/raw", "materialized"),
    ]
    failed = {"materializations": {}, "error": "division by zero"}
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
