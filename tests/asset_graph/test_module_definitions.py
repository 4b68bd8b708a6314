"""@definitions and the load_definitions_from_* / load_assets_from_current_module loaders, used
as Dagster's docs use them (each snippet also run under Dagster 1.13.29: same assets, checks,
jobs, schedules and sensors found)."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from asset2airflow import (
    DefinitionError,
    Definitions,
    NotSupportedError,
    definitions,
    load_definitions_from_module,
    load_definitions_from_modules,
    load_definitions_from_package_module,
)
from asset2airflow.loading import load_definitions

ASSETS_MODULE = """
from asset2airflow import (
    AssetCheckResult, AssetSpec, RunRequest, ScheduleDefinition, asset, asset_check,
    define_asset_job, load_assets_from_current_module, load_definitions_from_current_module,
    sensor,
)

ext = AssetSpec("external")

@asset(deps=[ext])
def one() -> int:
    return 1

@asset_check(asset=one)
def one_ok() -> AssetCheckResult:
    return AssetCheckResult(passed=True)

one_job = define_asset_job("one_job", selection=[one])
daily = ScheduleDefinition(job=one_job, cron_schedule="@daily")

@sensor(job=one_job)
def poke(context):
    return RunRequest()

loaded_here = load_assets_from_current_module(group_name="here")
defs_here = load_definitions_from_current_module()
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    package = tmp_path / "my_project"
    (package / "assets").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "assets" / "__init__.py").write_text("")
    (package / "assets" / "core.py").write_text(textwrap.dedent(ASSETS_MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield package
    for name in [n for n in sys.modules if n == "my_project" or n.startswith("my_project.")]:
        del sys.modules[name]


def _summary(defs: Definitions) -> tuple[list[str], int, list[str], list[str], list[str]]:
    return (
        sorted(a.key.to_user_string() for a in defs.assets),
        len(defs.asset_checks),
        [j.name for j in defs.jobs],
        [s.name for s in defs.schedules],
        [s.name for s in defs.sensors],
    )


def test_load_definitions_from_modules_collects_every_kind(project: Path) -> None:
    core = importlib.import_module("my_project.assets.core")
    expected = (["external", "one"], 1, ["one_job"], ["one_job_schedule"], ["poke"])
    assert _summary(load_definitions_from_modules([core])) == expected
    assert _summary(load_definitions_from_module(core)) == expected
    package = importlib.import_module("my_project")
    assert _summary(load_definitions_from_package_module(package)) == expected
    assert _summary(core.defs_here) == expected


def test_load_assets_from_current_module_reads_the_calling_module(project: Path) -> None:
    core = importlib.import_module("my_project.assets.core")
    assert sorted(a.key.to_user_string() for a in core.loaded_here) == ["one"]
    assert [s.group_name for a in core.loaded_here for s in a.specs] == ["here"]


def test_loggers_and_executor_are_refused(project: Path) -> None:
    core = importlib.import_module("my_project.assets.core")
    with pytest.raises(NotSupportedError, match="executor"):
        load_definitions_from_module(core, executor=object())


def test_definitions_decorator_builds_lazily_and_loaders_call_it(tmp_path: Path) -> None:
    calls: list[str] = []

    @definitions
    def defs() -> Definitions:
        calls.append("built")
        return Definitions()

    assert calls == []
    assert isinstance(defs(), Definitions) and calls == ["built"]
    location = tmp_path / "location.py"
    location.write_text(
        "from asset2airflow import Definitions, asset, definitions\n\n"
        "@asset\ndef a() -> int:\n    return 1\n\n"
        "@definitions\ndef defs():\n    return Definitions(assets=[a])\n"
    )
    loaded = load_definitions(str(location))
    assert [a.key.to_user_string() for a in loaded.assets] == ["a"]


def test_definitions_with_a_component_context_parameter_is_refused() -> None:
    with pytest.raises(NotSupportedError, match="ComponentLoadContext"):

        @definitions
        def defs(context: object) -> Definitions:
            return Definitions()


def test_a_definitions_function_must_return_definitions(tmp_path: Path) -> None:
    location = tmp_path / "bad.py"
    location.write_text(
        "from asset2airflow import definitions\n\n@definitions\ndef defs():\n    return 1\n"
    )
    with pytest.raises(DefinitionError, match="returned 1; return a Definitions"):
        load_definitions(str(location))


def test_definitions_look_up_schedules_sensors_and_the_implicit_job() -> None:
    from asset2airflow import RunRequest, ScheduleDefinition, asset, define_asset_job, sensor

    @asset
    def a() -> int:
        return 1

    a_job = define_asset_job("a_job", [a])
    nightly = ScheduleDefinition(name="nightly", job=a_job, cron_schedule="@daily")

    @sensor(job=a_job)
    def poke(context: object) -> RunRequest:
        return RunRequest()

    defs = Definitions(assets=[a], jobs=[a_job], schedules=[nightly], sensors=[poke])
    assert defs.get_schedule_def("nightly").cron_schedule == "@daily"
    assert defs.get_sensor_def("poke").name == "poke"
    assert defs.resolve_implicit_global_asset_job_def().name == "__ASSET_JOB"
    with pytest.raises(DefinitionError, match=r"no schedule named 'nope'; schedules: \['nightly"):
        defs.get_schedule_def("nope")
