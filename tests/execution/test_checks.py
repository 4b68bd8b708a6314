"""Asset checks: separate and in-asset, blocking and not, severities."""

from __future__ import annotations

import pytest

from asset2airflow import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    BlockingCheckFailedError,
    MaterializeResult,
    OutputMismatchError,
    asset,
    asset_check,
    materialize,
    materialize_to_memory,
)
from asset2airflow.errors import MissingUpstreamValueError


@asset
def orders() -> list[int]:
    return [5, -1, 7]


@asset
def revenue(orders: list[int]) -> int:
    return sum(orders)


@asset
def report(revenue: int) -> str:
    return f"revenue {revenue}"


def _positive_check(blocking: bool, severity: AssetCheckSeverity = AssetCheckSeverity.ERROR):  # type: ignore[no-untyped-def]
    @asset_check(asset=orders, blocking=blocking)
    def all_positive(orders: list[int]) -> AssetCheckResult:
        """Orders are positive."""
        negatives = sum(1 for o in orders if o < 0)
        return AssetCheckResult(
            passed=negatives == 0, severity=severity, metadata={"negatives": negatives}
        )

    return all_positive


def test_failing_blocking_check_stops_downstream_and_fails_the_run() -> None:
    check = _positive_check(blocking=True)
    result = materialize_to_memory([orders, revenue, report, check], raise_on_error=False)
    assert not result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.blocking
    assert evaluation.metadata["negatives"].value == 1
    assert evaluation.description == "Orders are positive."
    assert result.skipped_steps == ["revenue", "report"]
    stored = [m.asset_key for m in result.get_asset_materialization_events()]
    assert stored == [AssetKey("orders")]


def test_failing_blocking_check_raises_naming_check_and_downstream() -> None:
    check = _positive_check(blocking=True)
    with pytest.raises(BlockingCheckFailedError) as info:
        materialize_to_memory([orders, revenue, report, check])
    message = str(info.value)
    assert "orders:all_positive" in message and "['report', 'revenue']" in message


def test_blocked_downstream_is_not_stored(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from asset2airflow import FilesystemIOManager

    io = FilesystemIOManager(base_dir=str(tmp_path))
    materialize(
        [orders, revenue, report, _positive_check(True)],
        resources={"io_manager": io},
        raise_on_error=False,
    )
    assert (tmp_path / "orders.pickle").exists()
    assert not (tmp_path / "revenue.pickle").exists()
    assert not (tmp_path / "report.pickle").exists()


def test_non_blocking_failure_is_recorded_and_downstream_runs() -> None:
    result = materialize_to_memory([orders, revenue, report, _positive_check(blocking=False)])
    assert result.success
    assert result.output_for_node("report") == "revenue 11"
    assert not result.get_asset_check_evaluations()[0].passed


def test_blocking_check_failing_with_warn_severity_does_not_block() -> None:
    check = _positive_check(blocking=True, severity=AssetCheckSeverity.WARN)
    result = materialize_to_memory([orders, revenue, check])
    assert result.success
    assert result.get_asset_check_evaluations()[0].severity is AssetCheckSeverity.WARN


def test_in_asset_checks_via_check_specs() -> None:
    @asset(check_specs=[AssetCheckSpec("not_empty", asset="items", blocking=True)])
    def items() -> MaterializeResult:
        data: list[int] = []
        return MaterializeResult(value=data, check_results=[AssetCheckResult(passed=bool(data))])

    @asset
    def item_count(items: list[int]) -> int:
        return len(items)

    result = materialize_to_memory([items, item_count], raise_on_error=False)
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.check_name == "not_empty" and evaluation.asset_key == AssetKey("items")
    assert result.skipped_steps == ["item_count"]


def test_in_asset_check_without_result_is_an_error() -> None:
    @asset(check_specs=[AssetCheckSpec("not_empty", asset="forgetful")])
    def forgetful() -> int:
        return 1

    with pytest.raises(OutputMismatchError, match=r"declares checks \['forgetful:not_empty'\]"):
        materialize_to_memory([forgetful])


def test_check_with_additional_ins_and_alone_in_a_selection() -> None:
    @asset_check(asset=revenue, additional_ins={"orders": __import__("asset2airflow").AssetIn()})
    def revenue_matches(revenue: int, orders: list[int]) -> AssetCheckResult:
        return AssetCheckResult(passed=revenue == sum(orders))

    materialize([orders, revenue, revenue_matches])
    result = materialize([orders, revenue, revenue_matches], selection=[revenue_matches])
    assert [o.step.name for o in result.step_outcomes] == ["revenue__checks"]
    assert result.get_asset_check_evaluations()[0].passed


def test_check_code_raising_counts_as_failed_and_names_the_check() -> None:
    @asset_check(asset=orders, blocking=True)
    def explodes(orders: list[int]) -> AssetCheckResult:
        raise KeyError("column")

    result = materialize_to_memory([orders, revenue, explodes], raise_on_error=False)
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed and "orders:explodes" in str(result.errors[0])
    assert result.skipped_steps == ["revenue"]


def test_check_on_never_materialized_asset_names_it() -> None:
    check = _positive_check(blocking=False)
    with pytest.raises(MissingUpstreamValueError, match="'orders'"):
        materialize([orders, check], selection=[check])
