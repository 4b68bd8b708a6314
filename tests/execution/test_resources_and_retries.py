"""Resources that fail name themselves and the asset, without stopping independent assets;
RetryRequested and jittered retry policies; ``context.run``; skipped nodes in results."""

from __future__ import annotations

from typing import Any

import pytest

from asset2airflow import (
    AssetExecutionContext,
    ConfigurableResource,
    FilesystemIOManager,
    Jitter,
    ResourceError,
    RetryPolicy,
    RetryRequested,
    UserCodeError,
    asset,
    materialize,
    materialize_to_memory,
)

TORN_DOWN: list[str] = []


class Warehouse(ConfigurableResource):
    fail_setup: bool = False
    fail_teardown: bool = False

    def setup_for_execution(self, context: Any) -> None:
        if self.fail_setup:
            raise ConnectionError("warehouse unreachable")

    def teardown_after_execution(self, context: Any) -> None:
        TORN_DOWN.append(type(self).__name__)
        if self.fail_teardown:
            raise RuntimeError("cannot close session")


class Cache(ConfigurableResource):
    def teardown_after_execution(self, context: Any) -> None:
        TORN_DOWN.append("Cache")


@asset
def from_warehouse(warehouse: Warehouse) -> int:
    return 1


@asset
def independent(cache: Cache) -> int:
    return 2


def test_a_failing_setup_names_the_resource_and_the_asset_and_others_still_run() -> None:
    result = materialize_to_memory(
        [from_warehouse, independent],
        resources={"warehouse": Warehouse(fail_setup=True), "cache": Cache()},
        raise_on_error=False,
    )
    assert not result.success
    [error] = result.errors
    assert isinstance(error, ResourceError)
    message = str(error)
    assert "resource 'warehouse' (Warehouse) failed in setup_for_execution" in message
    assert "asset 'from_warehouse'" in message and "warehouse unreachable" in message
    assert isinstance(error.__cause__, ConnectionError)
    assert result.output_for_node("independent") == 2


def test_a_failing_setup_is_raised_naming_the_resource() -> None:
    with pytest.raises(ResourceError, match="resource 'warehouse' .*asset 'from_warehouse'"):
        materialize_to_memory([from_warehouse], resources={"warehouse": Warehouse(fail_setup=True)})


def test_a_failing_teardown_names_the_resource_and_tears_down_the_others() -> None:
    TORN_DOWN.clear()
    resources = {"warehouse": Warehouse(fail_teardown=True), "cache": Cache()}
    result = materialize_to_memory(
        [from_warehouse, independent], resources=resources, raise_on_error=False
    )
    assert sorted(TORN_DOWN) == ["Cache", "Warehouse"]
    assert not result.success
    [error] = result.errors
    assert "resource 'warehouse' (Warehouse) failed in teardown_after_execution" in str(error)
    assert len(result.get_asset_materialization_events()) == 2  # what ran stays recorded
    TORN_DOWN.clear()
    with pytest.raises(ResourceError, match="cannot close session"):
        materialize_to_memory([from_warehouse, independent], resources=resources)
    assert sorted(TORN_DOWN) == ["Cache", "Warehouse"]


def test_retry_requested_runs_the_asset_again() -> None:
    calls: list[int] = []

    @asset
    def flaky(context: AssetExecutionContext) -> int:
        calls.append(context.retry_number)
        if len(calls) < 3:
            raise RetryRequested(max_retries=2, seconds_to_wait=0)
        return len(calls)

    assert materialize_to_memory([flaky]).output_for_node("flaky") == 3
    assert calls == [0, 1, 2]


def test_retry_requested_too_often_fails_naming_the_asset() -> None:
    @asset
    def hopeless() -> int:
        raise RetryRequested(max_retries=1)

    with pytest.raises(UserCodeError, match="asset 'hopeless' raised RetryRequested again"):
        materialize_to_memory([hopeless])


def test_jitter_spreads_retry_delays() -> None:
    full = RetryPolicy(max_retries=3, delay=10, jitter=Jitter.FULL)
    plus_minus = RetryPolicy(max_retries=3, delay=10, jitter=Jitter.PLUS_MINUS)
    full_delays = {full.delay_before_attempt(1) for _ in range(50)}
    assert all(0 <= d <= 10 for d in full_delays) and len(full_delays) > 1
    assert all(0 <= plus_minus.delay_before_attempt(1) <= 20 for _ in range(50))
    assert RetryPolicy(max_retries=1, delay=10).delay_before_attempt(1) == 10


def test_context_run_has_the_run_id_and_tags() -> None:
    seen: dict[str, Any] = {}

    @asset
    def tagged(context: AssetExecutionContext) -> int:
        seen["run"] = context.run
        return 1

    result = materialize_to_memory([tagged], tags={"team": "sales"}, run_id="r-1")
    assert result.run_id == "r-1"
    assert seen["run"].run_id == "r-1" and seen["run"].tags == {"team": "sales"}


def test_materializations_of_a_skipped_node_are_empty(tmp_path: Any) -> None:
    @asset
    def broken() -> int:
        raise ValueError("no")

    @asset
    def after(broken: int) -> int:
        return broken

    io = FilesystemIOManager(base_dir=str(tmp_path))
    result = materialize([broken, after], resources={"io_manager": io}, raise_on_error=False)
    assert result.asset_materializations_for_node("after") == []
    with pytest.raises(KeyError, match="no step 'nope'"):
        result.asset_materializations_for_node("nope")
