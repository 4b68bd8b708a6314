"""The value objects are declared (attrs fields with converters and validators), frozen, and
normalize what users pass exactly as their constructors always did; each selection operator is a
class of its own with its ``resolve`` and its selection string (docs/adr/0007-value-objects.md)."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

import asset2airflow.authoring
from asset2airflow import (
    AssetCheckSpec,
    AssetDep,
    AssetIn,
    AssetKey,
    AssetOut,
    AssetSelection,
    AssetSpec,
    MetadataValue,
    RunRequest,
    TableColumn,
    TableSchema,
    multi_asset,
)
from asset2airflow.authoring.selection_operators import (
    AndAssetSelection,
    DownstreamAssetSelection,
    GroupsAssetSelection,
    KeysAssetSelection,
    OrAssetSelection,
    SubtractAssetSelection,
    UpstreamAssetSelection,
)
from asset2airflow.errors import DefinitionError

VALUE_OBJECTS = [AssetKey, AssetDep, AssetIn, AssetOut, AssetSpec, AssetCheckSpec, TableSchema]


@pytest.mark.parametrize("cls", [*VALUE_OBJECTS, RunRequest], ids=lambda c: c.__name__)
def test_value_objects_are_frozen_attrs_classes(cls: type) -> None:
    assert attrs.has(cls)
    assert cls.__setattr__ is not object.__setattr__  # frozen: attrs refuses assignment


def test_no_constructor_sets_attributes_by_hand() -> None:
    package = Path(asset2airflow.authoring.__file__).parent
    found = [
        f"{path.name}:{n}"
        for path in sorted(package.glob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"object\.__setattr__", line)
    ]
    assert not found


def test_converters_normalize_arguments() -> None:
    assert AssetKey("a") == AssetKey(["a"]) == AssetKey(AssetKey(("a",)))
    assert AssetKey(path=["a", "b"]).path == ("a", "b")
    assert AssetDep("sales/raw").asset == AssetKey(["sales", "raw"])
    assert AssetIn(key_prefix="p") == AssetIn(key_prefix=["p"])
    assert AssetOut("p").key_prefix == ("p",) and AssetOut(kinds=["k"]).kinds == frozenset({"k"})
    spec = AssetSpec("sales/raw", deps=["a"], owners=["me"], metadata={"n": 1})
    assert spec.deps == (AssetDep("a"),) and spec.owners == ("me",)
    assert spec.metadata == {"n": MetadataValue.int(1)}
    assert TableSchema([TableColumn("x")]).columns == (TableColumn("x"),)
    check = AssetCheckSpec("fresh", asset="sales/raw", additional_deps=["a"])
    assert check.asset_key == AssetKey(["sales", "raw"]) and check.additional_deps == (
        AssetDep("a"),
    )
    request = RunRequest(tags={"n": 1}, asset_selection=["a/b"], run_config={"ops": {}})
    assert request.tags == {"n": "1"} and request.asset_selection == (AssetKey(["a", "b"]),)
    assert request.config == {"ops": {}}


def test_copies_are_normalized_too() -> None:
    spec = AssetSpec("raw").replace_attributes(metadata={"n": 1}, owners=("a",))
    assert spec.metadata == {"n": MetadataValue.int(1)} and spec.owners == ("a",)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        spec.owners = ("b",)  # type: ignore[misc]


def test_checks_run_before_conversion_with_the_old_messages() -> None:
    with pytest.raises(TypeError, match="AssetIn takes key or key_prefix, not both"):
        AssetIn("a", key_prefix=[])  # an empty prefix is still given
    with pytest.raises(TypeError, match="AssetKey needs a string or a non-empty list"):
        AssetKey([])

    @multi_asset(outs={"a": AssetOut(), "b": AssetOut()})
    def both() -> tuple[int, int]:
        return 1, 2

    with pytest.raises(TypeError, match="AssetDep needs exactly one asset, .* has 2 keys"):
        AssetDep(both)
    with pytest.raises(DefinitionError, match=r"AssetDep\('a'\)\(partition_mapping=3\)"):
        AssetDep("a", partition_mapping=3)  # type: ignore[arg-type]
    with pytest.raises(DefinitionError, match="run_config=.*pass a dict or a RunConfig"):
        RunRequest(run_config=[1])  # type: ignore[arg-type]
    with pytest.raises(DefinitionError, match="run_key is a string"):
        RunRequest(run_key=3, tags=4)  # type: ignore[arg-type]


def test_each_selection_operator_is_its_own_class() -> None:
    groups = AssetSelection.groups("g")
    keys = AssetSelection.assets("a")
    assert isinstance(groups, GroupsAssetSelection) and isinstance(keys, KeysAssetSelection)
    assert isinstance(groups | keys, OrAssetSelection)
    assert isinstance(groups & keys, AndAssetSelection)
    assert isinstance(groups - keys, SubtractAssetSelection)
    assert isinstance(keys.upstream(), UpstreamAssetSelection)
    assert isinstance(keys.downstream(1), DownstreamAssetSelection)
    assert not hasattr(groups, "op")
    assert str(keys.upstream(2) - groups) == '2+key:"a" and not group:"g"'
