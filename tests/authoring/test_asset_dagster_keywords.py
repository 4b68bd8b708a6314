"""Dagster keywords of @asset/@multi_asset that used to stop real projects at import, used as
Dagster's docs use them (each snippet was run under Dagster 1.13.29 too: same values, same
errors, the differences noted)."""

from __future__ import annotations

import pytest

from asset2airflow import (
    AssetExecutionContext,
    AssetOut,
    Config,
    ConfigError,
    DefinitionError,
    asset,
    materialize,
    multi_asset,
)


class Limits(Config):
    n: int = 1


@asset(config_schema={"n": int})
def configured_asset(context: AssetExecutionContext) -> str:
    return f"hi {context.op_config['n']}"


def test_config_schema_is_read_through_context_op_config() -> None:
    result = materialize(
        [configured_asset], run_config={"ops": {"configured_asset": {"config": {"n": 3}}}}
    )
    assert result.output_for_node("configured_asset") == "hi 3"


@pytest.mark.parametrize(
    "run_config", [None, {"ops": {"configured_asset": {"config": {"n": "x"}}}}]
)
def test_missing_or_wrong_config_is_a_config_error_before_the_run(run_config: object) -> None:
    # Dagster raises DagsterInvalidConfigError in both cases.
    with pytest.raises(ConfigError, match="configured_asset"):
        materialize([configured_asset], run_config=run_config)  # type: ignore[arg-type]


def test_multi_asset_config_schema() -> None:
    @multi_asset(outs={"a": AssetOut(), "b": AssetOut()}, config_schema={"k": int})
    def two(context: AssetExecutionContext) -> tuple[int, int]:
        return context.op_config["k"], context.op_config["k"] * 2

    result = materialize([two], run_config={"ops": {"two": {"config": {"k": 2}}}})
    assert (result.output_for_node("two", "a"), result.output_for_node("two", "b")) == (2, 4)


def test_config_schema_and_a_config_parameter_together_are_refused() -> None:
    with pytest.raises(DefinitionError, match="both config_schema= and a Config parameter"):

        @asset(config_schema={"n": int})
        def twice(config: Limits) -> int:
            return config.n


def test_compute_kind_becomes_a_kind() -> None:
    # Dagster keeps it as the op tag dagster/compute_kind (its UI shows it as a kind badge);
    # here it is a kind, so it reaches Airflow as kinds do.
    @asset(compute_kind="pandas")
    def kinded() -> int:
        return 1

    @multi_asset(outs={"a": AssetOut(), "b": AssetOut(kinds={"sql"})}, compute_kind="spark")
    def pair() -> tuple[int, int]:
        return 1, 2

    assert [set(s.kinds) for s in kinded.specs] == [{"pandas"}]
    assert sorted(sorted(s.kinds) for s in pair.specs) == [["spark"], ["sql"]]


def test_compute_kind_and_kinds_together_are_refused_as_in_dagster() -> None:
    with pytest.raises(DefinitionError, match="compute_kind= or kinds=, not both"):

        @asset(compute_kind="pandas", kinds={"sql"})
        def both() -> int:
            return 1
