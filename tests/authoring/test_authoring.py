"""Authoring objects behave like Dagster's: keys, specs, metadata, inference, invocation."""

from __future__ import annotations

import pytest

from asset2airflow import (
    AssetDep,
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetOut,
    AssetSpec,
    Config,
    ConfigurableResource,
    MetadataValue,
    RetryPolicy,
    TableRecord,
    asset,
    asset_check,
    multi_asset,
)
from asset2airflow.errors import DefinitionError


class Source(ConfigurableResource):
    path: str


class Limits(Config):
    top: int = 3


def test_asset_key_forms() -> None:
    assert AssetKey("a") == AssetKey(["a"]) == AssetKey(AssetKey("a"))
    key = AssetKey(["sales", "raw"])
    assert key.to_user_string() == "sales/raw" and str(key) == "sales/raw"
    assert AssetKey.from_user_string("sales/raw") == key
    assert key.to_python_identifier() == "sales__raw"
    assert AssetKey("raw").with_prefix("sales") == key
    assert sorted([AssetKey("b"), AssetKey("a")]) == [AssetKey("a"), AssetKey("b")]
    assert len({AssetKey("a"), AssetKey(["a"])}) == 1


def test_metadata_values_normalize_and_serialize() -> None:
    table = MetadataValue.table([TableRecord({"x": 1}), {"x": 2}])
    assert table.to_json() == {
        "type": "table",
        "value": {"records": [{"x": 1}, {"x": 2}], "schema": None},
    }
    assert MetadataValue.url("http://x").kind == "url"
    assert MetadataValue.from_json(MetadataValue.int(3).to_json()) == MetadataValue.int(3)
    with pytest.raises(TypeError):
        MetadataValue.json({"bad": object()})


def test_asset_infers_everything_from_the_function() -> None:
    @asset(
        key_prefix=["sales"],
        metadata={"owner": "ann"},
        code_version="2",
        owners=["team@x.com"],
        tags={"tier": "gold"},
        kinds={"pandas"},
        retry_policy=RetryPolicy(max_retries=2, delay=1),
    )
    def summary(
        context: AssetExecutionContext, cleaned: list[int], source: Source, config: Limits
    ) -> int:
        """Sum of the cleaned rows."""
        return sum(cleaned)

    spec = summary.specs[0]
    assert summary.key == AssetKey(["sales", "summary"])
    assert spec.description == "Sum of the cleaned rows."
    assert spec.group_name == "default"
    assert spec.metadata["owner"].value == "ann"
    assert (spec.code_version, spec.owners, spec.kinds) == ("2", ("team@x.com",), {"pandas"})
    assert summary.upstream_keys() == [AssetKey(["sales", "cleaned"])]
    assert summary.required_resource_keys == {"source", "io_manager"}
    assert summary.compute is not None and summary.compute.config_type is Limits
    assert summary.retry_policy == RetryPolicy(max_retries=2, delay=1)


def test_ins_deps_and_explicit_key() -> None:
    @asset(
        key=["warehouse", "orders"],
        ins={"raw": AssetIn(key="landing/raw_orders")},
        deps=[AssetDep("audit_log"), AssetSpec("other")],
    )
    def orders(raw: int) -> int:
        return raw

    assert orders.key == AssetKey(["warehouse", "orders"])
    assert orders.node_name == "warehouse__orders"
    assert orders.upstream_keys() == [
        AssetKey("audit_log"),
        AssetKey("other"),
        AssetKey(["landing", "raw_orders"]),
    ]


def test_multi_asset_outs_keys_and_defaults() -> None:
    @multi_asset(
        outs={"a": AssetOut(key_prefix="p"), "b": AssetOut(io_manager_key="other")},
        group_name="g",
        description="shared",
    )
    def both() -> tuple[int, int]:
        return 1, 2

    assert both.keys == {AssetKey(["p", "a"]), AssetKey("b")}  # a set, as in Dagster
    assert list(both.keys) == [AssetKey(["p", "a"]), AssetKey("b")]  # in declaration order
    assert both.io_manager_keys == {"a": "io_manager", "b": "other"}
    assert {s.group_name for s in both.specs} == {"g"}
    assert {s.description for s in both.specs} == {"shared"}
    with pytest.raises(DefinitionError, match="exactly one of outs= or specs="):
        multi_asset()


def test_check_parameter_must_be_the_asset_or_additional_in() -> None:
    @asset
    def orders() -> int:
        return 1

    with pytest.raises(DefinitionError, match="neither the checked asset"):

        @asset_check(asset=orders)
        def bad(orders: int, stranger: int) -> None:
            return None


def test_context_must_come_first_and_config_must_be_typed() -> None:
    with pytest.raises(DefinitionError, match="must come first"):

        @asset
        def late(x: int, context: AssetExecutionContext) -> int:
            return x

    with pytest.raises(DefinitionError, match="annotated with a Config subclass"):

        @asset
        def untyped(config) -> int:  # type: ignore[no-untyped-def]
            return 1
