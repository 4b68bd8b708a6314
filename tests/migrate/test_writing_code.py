"""Writing a loaded DAG back as code: values as source (checked by evaluating the source),
task code copied with what it uses, asset keys for Airflow asset names, stable names."""

from __future__ import annotations

import datetime
import types
from pathlib import Path
from typing import Any

import pendulum
import pytest

from asset2airflow.authoring.keys import AssetKey
from asset2airflow.migrate.keys import assign_keys, key_from_name, key_from_task_id
from asset2airflow.migrate.namespace import ModuleNamespace, Unsupported
from asset2airflow.migrate.source import CodeCopier, OriginModule
from asset2airflow.migrate.values import ValueWriter

ORIGIN = """
import json
import types
from datetime import timedelta as td

LIMIT = 3
WINDOW = td(hours=2)


def helper(value):
    return json.dumps(value)[:LIMIT]


class Shape:
    sides = LIMIT


def outer(prefix):
    def inner(value):
        return prefix + helper(value)
    return inner


decorated = outer("x:")
SENTINEL = types.SimpleNamespace(kind="x")
"""


@pytest.fixture
def origin(tmp_path: Path) -> OriginModule:
    """A module loaded from a file, as the DagBag loads DAG files."""
    import importlib.util
    import sys

    path = tmp_path / "origin_module.py"
    path.write_text(ORIGIN)
    name = "unusual_prefix_0123abcd_origin_module"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return OriginModule.of_file(path)


def _module(namespace: ModuleNamespace, *lines: str) -> dict[str, Any]:
    """Execute the imports, definitions and ``lines`` the namespace would write."""
    source = "\n".join([*namespace.import_lines(), *namespace.definitions, *lines])
    scope: dict[str, Any] = {}
    exec(compile(source, "<generated>", "exec"), scope)
    return scope


def _writer(origin: OriginModule) -> tuple[ModuleNamespace, ValueWriter]:
    namespace = ModuleNamespace()
    return namespace, ValueWriter(namespace, CodeCopier(namespace, origin))


@pytest.mark.parametrize(
    "value",
    [
        None,
        'it\'s a "quote"',
        [1, 2.5, float("inf"), (3,), {"a": {True, False}}],
        datetime.timedelta(days=1, seconds=30),
        datetime.datetime(2024, 5, 1, 6, 30, tzinfo=datetime.timezone.utc),
        pendulum.datetime(2024, 1, 1, tz="Europe/Amsterdam"),
        datetime.date(2024, 2, 29),
        frozenset({"b", "a"}),
    ],
    ids=repr,
)
def test_plain_values_round_trip(origin: OriginModule, value: Any) -> None:
    namespace, writer = _writer(origin)
    code = writer.expr(value)
    assert _module(namespace, f"result = {code}")["result"] == value
    assert " at 0x" not in code


def test_airflow_objects_round_trip(origin: OriginModule) -> None:
    from airflow.sdk import Asset, AssetAlias, Param
    from airflow.serialization.encoders import encode_timetable
    from airflow.timetables.trigger import CronTriggerTimetable, DeltaTriggerTimetable

    namespace, writer = _writer(origin)
    condition = Asset("s3://a/b", extra={"k": 1}) | (Asset(name="x", uri="s3://x") & Asset("y"))
    written = {
        "condition": writer.expr(condition),
        "alias": writer.expr(AssetAlias("events")),
        "param": writer.expr(Param(5, type="integer", minimum=1, description="How many")),
        "cron": writer.expr(CronTriggerTimetable("0 6 * * *", timezone="Europe/Amsterdam")),
        "delta": writer.expr(DeltaTriggerTimetable(datetime.timedelta(hours=6))),
        "rule": writer.expr(
            __import__("airflow.sdk", fromlist=["TriggerRule"]).TriggerRule.ALL_DONE
        ),
    }
    scope = _module(namespace, *(f"{k} = {v}" for k, v in written.items()))
    assert scope["condition"] == condition
    assert scope["alias"] == AssetAlias("events")
    assert (
        scope["param"].dump() == Param(5, type="integer", minimum=1, description="How many").dump()
    )
    assert encode_timetable(scope["cron"]) == encode_timetable(
        CronTriggerTimetable("0 6 * * *", timezone="Europe/Amsterdam")
    )
    assert scope["delta"] == DeltaTriggerTimetable(datetime.timedelta(hours=6))
    assert written["rule"] == '"all_done"'
    assert written["cron"] == 'CronTriggerTimetable("0 6 * * *", timezone="Europe/Amsterdam")'


def test_copied_function_brings_what_it_uses(origin: OriginModule) -> None:
    namespace, writer = _writer(origin)
    helper = origin.globals["helper"]
    assert writer.expr(helper) == "helper"
    scope = _module(namespace)
    assert scope["helper"]({"a": 1}) == '{"a'
    lines = namespace.import_lines()
    assert lines == ["import json"]
    assert "LIMIT = 3" in namespace.definitions[0]  # the constant, written as a value


def test_closure_becomes_a_factory_called_with_its_values(origin: OriginModule) -> None:
    namespace, writer = _writer(origin)
    name = writer.expr(origin.globals["decorated"])
    scope = _module(namespace)
    assert scope[name]([1]) == "x:[1]"
    assert f'{name} = _make_{name}("x:")' in namespace.definitions[-1]


def test_classes_and_their_constants_are_copied(origin: OriginModule) -> None:
    namespace, writer = _writer(origin)
    assert writer.expr(origin.globals["Shape"]) == "Shape"
    assert writer.expr(origin.globals["WINDOW"]) == "datetime.timedelta(seconds=7200)"
    assert _module(namespace)["Shape"].sides == 3


def test_values_without_source_form_fall_back_to_the_assignment_or_are_unsupported(
    origin: OriginModule,
) -> None:
    namespace, writer = _writer(origin)
    assert writer.expr(origin.globals["SENTINEL"]) == "SENTINEL"  # the file's assignment
    assert namespace.definitions == ['SENTINEL = types.SimpleNamespace(kind="x")\n']
    assert _module(namespace)["SENTINEL"].kind == "x"
    with pytest.raises(Unsupported, match="has no source form") as error:
        writer.expr(types.SimpleNamespace(a=object()))
    assert " at 0x" not in str(error.value)


def test_names_never_clash() -> None:
    namespace = ModuleNamespace()
    assert namespace.import_from("json", "dumps") == "dumps"
    assert namespace.claim(("asset function", "x"), "dumps") == "dumps_2"
    assert namespace.import_from("json", "dumps", "anything") == "dumps"  # same object
    with pytest.raises(Unsupported, match="needed for two different things"):
        namespace.claim(("other",), "dumps", exact=True)


def test_asset_keys_for_airflow_asset_names_and_task_ids() -> None:
    assert key_from_name("s3://bucket/dir/file.csv") == AssetKey(
        ["s3", "bucket", "dir", "file_csv"]
    )
    assert key_from_name("sales/raw") == AssetKey(["sales", "raw"])
    assert key_from_task_id("section_1.task-2") == AssetKey(["section_1", "task-2"])

    class FakeAsset:
        def __init__(self, name: str) -> None:
            self.name = self.uri = name
            self.group, self.extra = "asset", {}

    FakeAsset.__name__ = "Asset"
    FakeAsset.__module__ = "airflow.sdk"
    found = assign_keys(
        [("a", [FakeAsset("out/x")]), ("out.x", []), ("b", [FakeAsset("one"), FakeAsset("two")])]
    )
    assert found["a"].keys == (AssetKey(["out", "x"]),)
    assert found["out.x"].keys == (AssetKey(["out", "x_2"]),)  # unique
    assert [k.to_user_string() for k in found["b"].keys] == ["one", "two"]
    assert found["b"].node_name == "b"
    assert dict(found["a"].pinned)[AssetKey(["out", "x"])].name == "out/x"


def test_layout_wraps_long_calls() -> None:
    from asset2airflow.migrate import layout

    assert layout.call("f", ["a", "b"], 4, "return ") == "return f(a, b)"
    long = layout.call("run_operator", ["x" * 50, "y" * 50], 4, "return ")
    assert long == "return run_operator(\n" + f"        {'x' * 50},\n        {'y' * 50},\n    )"
