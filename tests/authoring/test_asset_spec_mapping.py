"""AssetsDefinition.specs_by_key/get_asset_spec, map_asset_specs and AssetSpec.merge_attributes,
used as Dagster's docs use them (also run under Dagster 1.13.29: same specs)."""

from __future__ import annotations

import pytest

from asset2airflow import (
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    DefinitionError,
    asset,
    map_asset_specs,
    materialize,
)


@asset(group_name="g", owners=["a@x.com"])
def one() -> int:
    return 1


def test_specs_by_key_and_get_asset_spec() -> None:
    assert list(one.specs_by_key) == [AssetKey("one")]
    assert one.get_asset_spec().group_name == "g"
    assert list(one.get_asset_spec(AssetKey("one")).owners) == ["a@x.com"]


def test_map_asset_specs_over_definitions_and_specs() -> None:
    mapped = map_asset_specs(
        lambda spec: spec.replace_attributes(owners=["b@x.com"]).merge_attributes(
            tags={"team": "core"}
        ),
        [one, AssetSpec("ext")],
    )
    definition, spec = mapped
    assert isinstance(definition, AssetsDefinition) and isinstance(spec, AssetSpec)
    assert list(definition.get_asset_spec().owners) == ["b@x.com"]
    assert dict(definition.get_asset_spec().tags) == {"team": "core"}
    assert list(spec.owners) == ["b@x.com"]
    assert list(one.get_asset_spec().owners) == ["a@x.com"]  # the original is unchanged
    assert materialize([definition]).output_for_node("one") == 1


def test_merge_attributes_adds_to_what_the_spec_has() -> None:
    spec = AssetSpec("x", owners=["a@x.com"], tags={"a": "1"}, kinds={"sql"})
    merged = spec.merge_attributes(owners=["b@x.com"], tags={"b": "2"}, kinds={"dbt"}, deps=["y"])
    assert list(merged.owners) == ["a@x.com", "b@x.com"]
    assert dict(merged.tags) == {"a": "1", "b": "2"}
    assert merged.kinds == {"sql", "dbt"}
    assert [d.asset_key for d in merged.deps] == [AssetKey("y")]


def test_changing_a_key_is_refused_as_in_dagster() -> None:
    with pytest.raises(DefinitionError, match="must not change an asset's key"):
        map_asset_specs(lambda spec: spec.replace_attributes(key=AssetKey("other")), [one])
