"""The Dagster API coverage table (docs/dagster-api.toml) agrees with asset2airflow, the generated
docs/dagster-api.md is current, and refused names raise NotSupportedError where they are used.

The check against the installed Dagster runs in ``make bench`` (Dagster is never a test
dependency); here the committed table is checked, as ``make test`` must pass on a fresh clone.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import asset2airflow
from asset2airflow import NotSupportedError

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "dagster_api_coverage.py"


def load_coverage_script() -> ModuleType:
    """scripts/dagster_api_coverage.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("dagster_api_coverage", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses resolve their annotations through it
    spec.loader.exec_module(module)
    return module


def test_the_committed_table_passes_and_prints_the_counts() -> None:
    run = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("444 names: ")
    assert " 0 unclassified; decorator keywords: " in run.stdout


def test_a_supported_name_asset2airflow_lacks_or_a_refusal_that_does_not_raise_fails() -> None:
    coverage = load_coverage_script()
    table = coverage.load_table()
    entries = dict(table.entries)
    entries["asset"] = coverage.Entry("asset", coverage.SUPPORTED, "")
    entries["not_built_yet"] = coverage.Entry("not_built_yet", coverage.SUPPORTED, "")
    entries["Config"] = coverage.Entry("Config", coverage.REFUSED_STATUS, "")
    problems = coverage.check_against_asset2airflow(coverage.Table("1.13.29", entries))
    assert any(p.startswith("not_built_yet is classified supported") for p in problems)
    assert any(p.startswith("Config is classified refused but has no entry") for p in problems)
    assert not any(p.startswith("asset ") for p in problems)


def test_names_dagster_has_and_the_table_lacks_are_unclassified() -> None:
    coverage = load_coverage_script()
    table = coverage.load_table()
    names = sorted({*table.entries, "brand_new_api"} - {"asset"})
    problems = coverage.check_against_dagster(table, "1.14.0", names)
    assert "brand_new_api (in Dagster) is unclassified" in problems
    assert "asset is in the table but not in Dagster 1.14.0" in problems
    assert any("the table is for 1.13.29" in p for p in problems)


def test_a_dagster_decorator_keyword_the_table_lacks_is_unclassified() -> None:
    coverage = load_coverage_script()
    recorded = coverage.load_decorator_keywords()
    dagster = {d: [*e["accepted"], *e["refused"]] for d, e in recorded.items()}
    dagster["asset"] = [*dagster["asset"], "new_keyword"]
    dagster["op"].remove("pool")
    problems = coverage.check_decorator_keywords(recorded, dagster)
    assert problems == [
        "@asset(new_keyword=...) (in Dagster) is unclassified",
        "@op(pool=...) is in the table but not in Dagster",
    ]


def test_the_markdown_shows_each_refusal_with_its_alternative() -> None:
    coverage = load_coverage_script()
    markdown = coverage.render_markdown(
        coverage.load_table(), coverage.load_decorator_keywords()
    )
    assert "| `custom_path_fs_io_manager` | use FilesystemIOManager(base_dir=...) |" in markdown
    assert "| `asset` |" in markdown


def test_a_refused_decorator_imports_and_raises_naming_the_alternative_when_used() -> None:
    from asset2airflow import success_hook

    with pytest.raises(
        NotSupportedError, match=r"success_hook \(Dagster.s dagster.success_hook\).*run_status"
    ):

        @success_hook
        def notify(_context: object) -> None:
            pass


def test_every_use_of_a_refused_class_raises() -> None:
    from asset2airflow import InputManager, List, SourceAsset

    with pytest.raises(NotSupportedError, match="AssetSpec"):
        SourceAsset("external")
    with pytest.raises(NotSupportedError, match="annotate with Python types"):
        List[str]
    with pytest.raises(NotSupportedError, match="ConfigurableIOManager"):

        class MyInputManager(InputManager):  # type: ignore[misc,valid-type]
            pass

    with pytest.raises(NotSupportedError, match="SourceAsset"):
        isinstance(object(), SourceAsset)  # type: ignore[arg-type]
    with pytest.raises(NotSupportedError, match="SourceAsset"):
        SourceAsset.key  # noqa: B018


@pytest.mark.parametrize(
    ("name", "instead"),
    [
        ("custom_path_fs_io_manager", "FilesystemIOManager"),
        ("in_process_executor", "Airflow's executor"),
        ("DagsterInvalidDefinitionError", "asset2airflow.DefinitionError"),
    ],
)
def test_values_and_exceptions_are_refused_at_import(name: str, instead: str) -> None:
    with pytest.raises(NotSupportedError, match=instead):
        getattr(asset2airflow, name)


def test_a_name_neither_ours_nor_dagsters_is_an_ordinary_import_error() -> None:
    with pytest.raises(ImportError, match="cannot import name 'no_such_name'"):
        from asset2airflow import no_such_name  # type: ignore[attr-defined]  # noqa: F401
