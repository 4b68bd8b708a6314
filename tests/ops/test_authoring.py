"""@op, In/Out, @graph, @job: what authoring accepts, infers and refuses (with messages that
name the op, the graph or job, file:line, and the fix)."""

from __future__ import annotations

import inspect

import pytest

import asset2airflow
from asset2airflow import (
    ConfigError,
    CycleError,
    DefinitionError,
    DependencyDefinition,
    DynamicOut,
    DynamicOutput,
    GraphDefinition,
    In,
    JobDefinition,
    Nothing,
    OpDefinition,
    Out,
    graph,
    job,
    op,
)


@op
def one() -> int:
    return 1


@op
def add(a: int, b: int = 10) -> int:
    return a + b


@op
def side_effect() -> None:
    pass


@op(out=DynamicOut(int))
def items():
    yield DynamicOutput(1, mapping_key="a")


def test_package_exports_the_decorators_not_the_graph_layer() -> None:
    assert asset2airflow.graph is graph and inspect.isfunction(graph)
    for name in ("op", "job", "In", "Out", "DynamicOut", "DynamicOutput", "Nothing", "Failure"):
        assert name in asset2airflow.__all__
        assert getattr(asset2airflow, name) is not None


def test_op_infers_inputs_outputs_and_defaults() -> None:
    assert isinstance(add, OpDefinition)
    assert add.input_names == ["a", "b"]
    assert add.ins["b"].default_value == 10 and not add.ins["a"].has_default
    assert list(add.outs) == ["result"] and not add.outs["result"].is_nothing
    assert side_effect.outs["result"].is_nothing  # "-> None": a Nothing output, nothing stored
    assert items.outs["result"].is_dynamic


def test_nothing_inputs_are_declared_in_ins_not_as_parameters() -> None:
    @op(ins={"after": In(Nothing)})
    def waits() -> int:
        return 1

    assert waits.ins["after"].is_nothing and waits.value_inputs == []
    with pytest.raises(DefinitionError, match=r"ins names 'typo'.*input parameters are \['x'\]"):

        @op(ins={"typo": In(int)})
        def wrong(x: int) -> int:
            return x

    with pytest.raises(DefinitionError, match="remove the parameter from the function"):

        @op(ins={"x": In(Nothing)})
        def has_param(x: int) -> int:
            return x


def test_refused_arguments_say_they_are_not_built() -> None:
    with pytest.raises(DefinitionError, match=r"op\(pool='p'\) is not built"):
        op(pool="p")
    with pytest.raises(DefinitionError, match=r"In\(input_manager_key=...\) is not built"):
        In(input_manager_key="m")
    with pytest.raises(DefinitionError, match=r"job\(hooks=...\) is not built"):

        @job(hooks={"h"})
        def hooked() -> None:
            one()

    with pytest.raises(DefinitionError, match=r"graph\(config=...\) is not built"):
        graph(config={"a": 1})
    with pytest.raises(DefinitionError, match="config_schema=<class 'int'> is not built"):

        @op(config_schema=int)  # type: ignore[arg-type]
        def scalar() -> int:
            return 1


def test_a_graph_records_nodes_and_unique_names_for_reused_ops() -> None:
    @graph
    def twice():
        return add(add(one()), one())

    assert list(twice.nodes) == ["one", "add", "one_2", "add_2"]
    assert twice.output_names == ["result"]
    assert twice.nodes["add_2"].inputs["b"].ref.node == "one_2"  # type: ignore[union-attr]


def test_unknown_input_name_names_the_op_graph_and_file() -> None:
    with pytest.raises(DefinitionError) as info:

        @graph
        def bad():
            add(c=one())

    message = str(info.value)
    assert "unknown input 'c'" in message and "op 'add'" in message and "graph 'bad'" in message
    assert "test_authoring.py:" in message and "['a', 'b']" in message


def test_inputs_inside_a_graph_must_be_op_outputs() -> None:
    with pytest.raises(DefinitionError, match=r"input 'a' is given 5.*In\(default_value=...\)"):

        @graph
        def constant():
            add(5)


def test_dynamic_output_needs_map_or_collect() -> None:
    with pytest.raises(DefinitionError, match=r"dynamic output items\.result; use \.map"):

        @graph
        def direct():
            add(items())


def test_nested_mapping_and_mapped_dynamic_ops_are_refused() -> None:
    @op(out=DynamicOut(int))
    def fan_again(x: int):
        yield DynamicOutput(x, mapping_key="x")

    with pytest.raises(DefinitionError, match="nested dynamic mapping is not supported"):

        @graph
        def nested():
            items().map(fan_again)


def test_a_nothing_output_cannot_feed_a_value_input() -> None:
    with pytest.raises(DefinitionError, match=r"Nothing output side_effect\.result.*In\(Nothing\)"):

        @graph
        def wrong():
            add(side_effect())


def test_unconnected_input_without_default_fails_when_the_job_is_made() -> None:
    @graph
    def partial():
        return add()

    with pytest.raises(DefinitionError) as info:
        partial.to_job(name="partial_job")
    message = str(info.value)
    assert "job 'partial_job'" in message and "node 'add'" in message
    assert "input 'a' is not connected" in message and "In(default_value=...)" in message


def test_an_output_nobody_consumes_is_fine() -> None:
    @job
    def loose():
        one()
        add(one())

    assert isinstance(loose, JobDefinition)
    assert [s.name for s in loose.op_graph.steps] == ["one", "one_2", "add"]


def test_a_cycle_in_explicit_dependencies_is_reported() -> None:
    cyclic = GraphDefinition(
        "cyclic",
        node_defs=[add, one],
        dependencies={
            "add": {"a": DependencyDefinition("one"), "b": DependencyDefinition("add")},
        },
    )
    with pytest.raises(CycleError, match=r"job 'cyclic'.*cycle: add -> add"):
        cyclic.to_job()


def test_explicit_dependencies_build_the_same_steps() -> None:
    explicit = GraphDefinition(
        "explicit", node_defs=[one, add], dependencies={"add": {"a": DependencyDefinition("one")}}
    )
    assert explicit.to_job().execute_in_process().output_for_node("add") == 11


def test_invalid_mapping_keys_are_refused() -> None:
    with pytest.raises(DefinitionError, match=r"mapping_key 'a-b' is invalid"):
        DynamicOutput(1, mapping_key="a-b")
    with pytest.raises(DefinitionError, match=r"mapping_key '' is invalid"):
        DynamicOutput(1, mapping_key="")


def test_job_default_config_of_the_wrong_type_fails_at_declaration() -> None:
    @op(config_schema={"limit": int})
    def limited(context) -> int:
        return int(context.op_config["limit"])

    with pytest.raises(ConfigError, match=r"job 'limits'.*op 'limited'.*limit"):

        @job(config={"ops": {"limited": {"config": {"limit": "many"}}}})
        def limits():
            limited()

    with pytest.raises(ConfigError, match=r"job 'typo'.*\['limitd'\]"):

        @job(config={"ops": {"limitd": {"config": {"limit": 1}}}})
        def typo():
            limited()


def test_graph_called_outside_a_body_says_how_to_run_it() -> None:
    @graph
    def g():
        one()

    with pytest.raises(DefinitionError, match="execute_in_process"):
        g()


def test_mapping_over_a_graph_is_refused_until_built() -> None:
    @graph
    def inner(x):
        return add(x)

    with pytest.raises(DefinitionError, match="mapping over a graph is not built"):

        @graph
        def outer():
            items().map(inner)


def test_out_declares_several_outputs() -> None:
    @op(out={"first": Out(int), "rest": Out(list, is_required=False)})
    def split(xs: list) -> tuple[int, list]:
        return xs[0], xs[1:]

    assert split.output_names == ["first", "rest"] and not split.outs["rest"].is_required
