"""Ops called directly in unit tests, and @graph_asset / @graph_multi_asset (a graph of ops
run inside the asset's one step)."""

from __future__ import annotations

import pytest

from asset2airflow import (
    AssetIn,
    AssetOut,
    Config,
    ConfigError,
    ConfigurableResource,
    DefinitionError,
    Definitions,
    DynamicOut,
    DynamicOutput,
    Failure,
    OpExecutionContext,
    Out,
    StaticPartitionsDefinition,
    TypeCheckError,
    asset,
    build_op_context,
    graph_asset,
    graph_multi_asset,
    materialize,
    op,
)


class Factor(Config):
    factor: int = 2


class Store(ConfigurableResource):
    name: str = "db"


@op
def double(x: int, config: Factor) -> int:
    return x * config.factor


@op(config_schema={"suffix": "!"}, required_resource_keys={"store"})
def label(context: OpExecutionContext, x: int) -> str:
    return f"{context.resources.store.name}:{x}{context.op_config['suffix']}"


@op
def item_key(context: OpExecutionContext) -> str | None:
    return context.get_mapping_key()


def test_ops_are_plain_functions_in_unit_tests() -> None:
    assert double(3) == 6
    assert double(3, Factor(factor=5)) == 15
    context = build_op_context(resources={"store": Store()}, op_config={"suffix": "?"})
    assert label(context, 1) == "db:1?"
    assert label(build_op_context(resources={"store": Store(name="s")}), 2) == "s:2!"
    assert item_key(build_op_context(mapping_key="k1")) == "k1"


def test_config_from_the_context_fills_a_typed_config_parameter() -> None:
    @op
    def scaled(context: OpExecutionContext, x: int, config: Factor) -> int:
        return x * config.factor

    assert scaled(build_op_context(op_config={"factor": 4}), 3) == 12
    with pytest.raises(ConfigError, match=r"config for op 'scaled' is invalid"):
        scaled(build_op_context(op_config={"factor": "many"}), 3)


def test_direct_invocation_errors_say_what_is_wrong() -> None:
    with pytest.raises(DefinitionError, match=r"op 'double' has no parameters \['y'\]"):
        double(1, y=2)
    with pytest.raises(DefinitionError, match="takes no context parameter"):
        double(build_op_context(), 1)
    with pytest.raises(Failure, match="nope"):

        @op
        def fails() -> None:
            raise Failure("nope")

        fails()


def test_typed_inputs_are_checked_when_called_directly() -> None:
    from asset2airflow import In

    @op(ins={"n": In(int)})
    def wants_int(n: object) -> object:
        return n

    assert wants_int(1) == 1
    with pytest.raises(TypeCheckError, match=r"input 'n' got a str"):
        wants_int("x")


def test_generator_ops_return_their_events_when_called_directly() -> None:
    @op(out=DynamicOut(int))
    def fan():
        for i in range(2):
            yield DynamicOutput(i, mapping_key=f"k{i}")

    assert [o.mapping_key for o in fan()] == ["k0", "k1"]


@asset
def numbers() -> list[int]:
    return [1, 2, 3]


@op(out=DynamicOut(int))
def each(xs: list[int]):
    for x in xs:
        yield DynamicOutput(x, mapping_key=f"n{x}")


@op
def total(xs: list[int]) -> int:
    return sum(xs)


@graph_asset(group_name="math")
def doubled_total(numbers: list[int]) -> int:
    """Sum of the doubled numbers."""
    return total(each(numbers).map(double).collect())


@asset
def report(doubled_total: int) -> str:
    return f"total={doubled_total}"


def test_graph_asset_runs_its_ops_inside_the_asset() -> None:
    result = materialize([numbers, doubled_total, report])
    assert result.success and result.asset_value("doubled_total") == 12
    assert result.asset_value("report") == "total=12"
    assert doubled_total.spec_for(doubled_total.key).group_name == "math"
    assert doubled_total.specs[0].description == "Sum of the doubled numbers."


def test_graph_asset_config_uses_dagsters_nested_shape() -> None:
    result = materialize(
        [numbers, doubled_total],
        run_config={"ops": {"doubled_total": {"ops": {"double": {"config": {"factor": 10}}}}}},
    )
    assert result.asset_value("doubled_total") == 60
    with pytest.raises(ConfigError, match="factor"):
        materialize(
            [numbers, doubled_total],
            run_config={"ops": {"doubled_total": {"ops": {"double": {"config": {"factor": "x"}}}}}},
        )


@op(out={"low": Out(), "high": Out()})
def split(xs: list[int]) -> tuple[list[int], list[int]]:
    return [x for x in xs if x < 2], [x for x in xs if x >= 2]


@graph_multi_asset(outs={"low_numbers": AssetOut(), "high_numbers": AssetOut()})
def split_numbers(numbers: list[int]):
    low, high = split(numbers)
    return {"low_numbers": low, "high_numbers": high}


def test_graph_multi_asset_gives_each_output_to_its_asset() -> None:
    result = materialize([numbers, split_numbers])
    assert result.asset_value("low_numbers") == [1]
    assert result.asset_value("high_numbers") == [2, 3]


def test_graph_asset_needs_its_ops_resources_and_takes_ins_and_partitions() -> None:
    @op(required_resource_keys={"store"})
    def stamp(context: OpExecutionContext, xs: list[int]) -> str:
        key = context.partition_key
        return f"{context.resources.store.name}:{key}:{len(xs)}"

    parts = StaticPartitionsDefinition(["a", "b"])

    @graph_asset(ins={"source": AssetIn("numbers")}, partitions_def=parts)
    def stamped(source: list[int]) -> str:
        return stamp(source)

    with pytest.raises(DefinitionError, match="store"):
        Definitions(assets=[numbers, stamped])
    result = materialize([numbers, stamped], resources={"store": Store()}, partition_key="b")
    assert result.asset_value("stamped") == "db:b:3"


def test_graph_asset_must_return_one_output_and_refuses_unbuilt_arguments() -> None:
    with pytest.raises(DefinitionError, match="must return one op output"):

        @graph_asset
        def returns_nothing(numbers: list[int]) -> None:
            total(numbers)

    with pytest.raises(DefinitionError, match=r"graph_asset\(config=...\) is not built"):
        graph_asset(config={"x": 1})
