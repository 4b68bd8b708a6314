"""Task code is copied exactly: a function defined inside a @dag function moves to module
level (or into a factory when it closes over the @dag function's variables), and every string
literal in it (docstrings, f-strings, backslash-continued strings) keeps its text. Upstream
values reach it as they are (never rendered as templates); literal arguments are rendered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asset2airflow.migrate.generate import load_dag_file, migrate_file
from tests.migrate.conftest import DAGS, run_dag

pytestmark = pytest.mark.integration


def test_moved_functions_keep_their_strings(
    tmp_path: Path, in_dags_folder: Callable[..., dict[str, Any]]
) -> None:
    [result] = migrate_file(DAGS / "nested_code.py", tmp_path)
    [original] = load_dag_file(DAGS / "nested_code.py")[0].values()
    generated = load_dag_file(result.path)[0]["nested_code"]
    assert generated.get_task("banner").doc_md == original.get_task("banner").doc_md
    before = run_dag(in_dags_folder(DAGS / "nested_code.py")["nested_code"])
    after = run_dag(in_dags_folder(result.path, name="nested_code_assets.py")["nested_code"])
    assert before.values["banner"] == "orders:\n    indented by four\n        and by eight\n"
    assert after.values["banner"] == before.values["banner"]
    assert after.values["framed"] == before.values["framed"]
    assert after.values["dated"] == before.values["dated"] == "nested_coderendered"
    assert "def _make_framed(prefix):" in result.source  # the closure became a factory
