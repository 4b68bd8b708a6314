"""Every bad definition raises its own error naming the culprit and what to change."""

from __future__ import annotations

import pytest

from asset2airflow import (
    AssetCheckResult,
    AssetIn,
    AssetOut,
    AssetSpec,
    ConfigurableResource,
    CycleError,
    Definitions,
    DuplicateKeyError,
    InvalidNameError,
    MissingResourceError,
    UnknownCheckTargetError,
    UnknownUpstreamError,
    asset,
    asset_check,
    multi_asset,
)
from asset2airflow.errors import Asset2AirflowError, DefinitionError


def test_duplicate_key_between_assets_names_both_definitions() -> None:
    @asset(name="orders")
    def first() -> int:
        return 1

    @asset(name="orders")
    def second() -> int:
        return 2

    with pytest.raises(DuplicateKeyError) as info:
        Definitions(assets=[first, second])
    message = str(info.value)
    assert "'orders' is defined twice" in message
    assert "test_validation.py" in message
    assert "Rename one" in message


def test_duplicate_key_between_multi_asset_output_and_asset() -> None:
    @asset
    def customers() -> int:
        return 1

    @multi_asset(outs={"customers": AssetOut(), "orders": AssetOut()})
    def load_both() -> tuple[int, int]:
        return 1, 2

    with pytest.raises(
        DuplicateKeyError, match=r"'customers' is defined twice.*multi_asset 'load_both'"
    ):
        Definitions(assets=[customers, load_both])


def test_cycle_lists_the_cycle() -> None:
    @asset
    def a(c: int) -> int:
        return c

    @asset
    def b(a: int) -> int:
        return a

    @asset
    def c(b: int) -> int:
        return b

    with pytest.raises(CycleError) as info:
        Definitions(assets=[a, b, c])
    message = str(info.value)
    assert "dependency cycle" in message
    for name in ("a", "b", "c"):
        assert f"asset '{name}'" in message
    path = message.split("dependency cycle: ")[1].split(" (")[0].split(" -> ")
    assert path[0] == path[-1] and sorted(path[:-1]) == ["a", "b", "c"]


def test_self_dependency_is_a_cycle() -> None:
    @asset
    def loop(loop: int) -> int:
        return loop

    with pytest.raises(CycleError, match=r"loop -> loop"):
        Definitions(assets=[loop])


def test_self_dependency_through_deps_is_a_cycle() -> None:
    @asset(deps=["itself"])
    def itself() -> int:
        return 1

    with pytest.raises(CycleError, match="itself -> itself"):
        Definitions(assets=[itself])


def test_unknown_upstream_names_parameter_asset_and_assetspec_fix() -> None:
    @asset
    def raw_orders() -> int:
        return 1

    @asset
    def cleaned(raw_order: int) -> int:
        return raw_order

    with pytest.raises(UnknownUpstreamError) as info:
        Definitions(assets=[raw_orders, cleaned])
    message = str(info.value)
    assert "asset 'cleaned'" in message
    assert "parameter 'raw_order'" in message
    assert "AssetSpec('raw_order')" in message
    assert "did you mean 'raw_orders'" in message


def test_unknown_upstream_in_deps_is_named() -> None:
    @asset(deps=["warehouse/events"])
    def sessions() -> int:
        return 1

    with pytest.raises(UnknownUpstreamError, match=r"'warehouse/events' \(through deps\)"):
        Definitions(assets=[sessions])


def test_external_upstream_declared_with_assetspec_is_accepted() -> None:
    @asset(deps=["warehouse/events"])
    def sessions() -> int:
        return 1

    defs = Definitions(assets=[AssetSpec("warehouse/events"), sessions])
    assert defs.asset_graph.external_keys[0].to_user_string() == "warehouse/events"


class Warehouse(ConfigurableResource):
    url: str


def test_missing_resource_names_resource_and_asset() -> None:
    @asset
    def orders(warehouse: Warehouse) -> int:
        return 1

    with pytest.raises(MissingResourceError) as info:
        Definitions(assets=[orders])
    message = str(info.value)
    assert "asset 'orders'" in message and "'warehouse'" in message
    assert "resources={'warehouse': ...}" in message


def test_unresolvable_resource_annotation_is_explained() -> None:
    class LocalClient(ConfigurableResource):
        url: str

    @asset
    def orders(client: LocalClient) -> int:
        return 1

    with pytest.raises(
        UnknownUpstreamError, match="annotation 'LocalClient' could not be resolved"
    ):
        Definitions(assets=[orders], resources={"client": LocalClient(url="x")})


def test_missing_io_manager_resource_is_reported() -> None:
    @asset(io_manager_key="warehouse_io")
    def orders() -> int:
        return 1

    with pytest.raises(MissingResourceError, match="needs resource 'warehouse_io'"):
        Definitions(assets=[orders])


def test_missing_required_resource_key_is_reported() -> None:
    @asset(required_resource_keys={"slack"})
    def alert() -> int:
        return 1

    with pytest.raises(MissingResourceError, match="asset 'alert'.*'slack'"):
        Definitions(assets=[alert])


def test_check_on_unknown_asset() -> None:
    @asset
    def orders() -> int:
        return 1

    @asset_check(asset="order")
    def has_rows(order: int) -> AssetCheckResult:
        return AssetCheckResult(passed=True)

    with pytest.raises(UnknownCheckTargetError) as info:
        Definitions(assets=[orders], asset_checks=[has_rows])
    message = str(info.value)
    assert "asset check 'order:has_rows'" in message
    assert "did you mean 'orders'" in message


def test_duplicate_check_names_both() -> None:
    @asset
    def orders() -> int:
        return 1

    @asset_check(asset=orders, name="has_rows")
    def first(orders: int) -> AssetCheckResult:
        return AssetCheckResult(passed=True)

    @asset_check(asset=orders, name="has_rows")
    def second(orders: int) -> AssetCheckResult:
        return AssetCheckResult(passed=True)

    with pytest.raises(DuplicateKeyError, match="check 'has_rows' on 'orders' is defined twice"):
        Definitions(assets=[orders], asset_checks=[first, second])


@pytest.mark.parametrize("bad", ["my-asset", "has space", "dots.are.bad", ""])
def test_invalid_asset_name(bad: str) -> None:
    with pytest.raises(InvalidNameError, match="asset name .* is invalid"):

        @asset(name=bad)
        def anything() -> int:
            return 1


def test_invalid_key_component() -> None:
    with pytest.raises(InvalidNameError, match="invalid component 'a b'"):
        AssetSpec(["ok", "a b"])


def test_invalid_group_name() -> None:
    with pytest.raises(InvalidNameError, match="group name 'bad group'"):

        @asset(group_name="bad group")
        def anything() -> int:
            return 1


def test_ins_not_matching_parameters() -> None:
    with pytest.raises(DefinitionError, match=r"ins names \['orders'\].*not parameters"):

        @asset(ins={"orders": AssetIn("raw_orders")})
        def anything(order: int) -> int:
            return order


def test_check_passed_as_asset_is_explained() -> None:
    @asset
    def orders() -> int:
        return 1

    @asset_check(asset=orders)
    def has_rows(orders: int) -> AssetCheckResult:
        return AssetCheckResult(passed=True)

    with pytest.raises(DefinitionError, match="pass asset checks in asset_checks"):
        Definitions(assets=[orders, has_rows])  # type: ignore[list-item]


def test_all_definition_errors_share_the_base_class() -> None:
    for error in (
        CycleError,
        DuplicateKeyError,
        InvalidNameError,
        MissingResourceError,
        UnknownCheckTargetError,
        UnknownUpstreamError,
    ):
        assert issubclass(error, Asset2AirflowError)
