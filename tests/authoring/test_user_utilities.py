"""get_dagster_logger and file_relative_path, used as Dagster's docs use them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from asset2airflow import asset, file_relative_path, get_dagster_logger, materialize


def test_get_dagster_logger_is_dagster_builtin_at_debug_and_its_records_propagate(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @asset
    def counted() -> int:
        log = get_dagster_logger()
        for i in range(2):
            log.info(f"Did {i + 1} things!")
        return 2

    with caplog.at_level(logging.INFO):
        assert materialize([counted]).success
    assert [r.getMessage() for r in caplog.records if r.name == "dagster.builtin"] == [
        "Did 1 things!",
        "Did 2 things!",
    ]
    assert get_dagster_logger("mine").name == "dagster.builtin.mine"
    assert logging.getLogger("dagster").level == logging.DEBUG


def test_file_relative_path_resolves_against_the_files_directory(tmp_path: Path) -> None:
    module_file = tmp_path / "pkg" / "defs.py"
    assert file_relative_path(str(module_file), "data/x.csv") == str(
        tmp_path / "pkg" / "data" / "x.csv"
    )
    assert file_relative_path(str(module_file), "../up.yaml") == str(tmp_path / "up.yaml")
    with pytest.raises(TypeError, match="relative_path must be a str"):
        file_relative_path(str(module_file), Path("x"))  # type: ignore[arg-type]
