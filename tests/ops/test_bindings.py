"""One vocabulary says where an op input's value comes from: the composition records it over
node outputs, the resolved op graph keeps the same kinds over step outputs (nested graphs
flattened to ``outer.inner`` paths)."""

from __future__ import annotations

from asset2airflow import DynamicOut, DynamicOutput, In, graph, job, op
from asset2airflow.asset_graph.op_graph import StepOutput, build_op_graph
from asset2airflow.authoring.graph_composition import (
    Collected,
    Default,
    Element,
    FanIn,
    GraphInput,
    NodeOutput,
    Plain,
)


@op(out=DynamicOut(int))
def numbers():  # type: ignore[no-untyped-def]
    yield DynamicOutput(1, mapping_key="one")


@op
def double(n: int) -> int:
    return 2 * n


@op
def total(values: list, start: int) -> int:  # type: ignore[type-arg]
    return start + sum(values)


@op
def seed(offset: int = 0) -> int:
    return offset


@op(ins={"offset": In(default_value=5)})
def offset(offset: int) -> int:
    return offset


@op
def gather(items: list) -> int:  # type: ignore[type-arg]
    return sum(items)


@graph
def inner(start: int) -> int:
    return total(numbers().map(double).collect(), start)


@job
def everything() -> None:
    gather([inner(seed()), offset()])


def test_composition_and_op_graph_share_the_binding_kinds() -> None:
    nodes = inner.nodes
    assert nodes["total"].inputs == {
        "values": Collected(NodeOutput("double"), NodeOutput("numbers")),
        "start": GraphInput("start"),
    }
    assert nodes["double"].inputs == {"n": Element(NodeOutput("numbers"), NodeOutput("numbers"))}
    assert everything.graph_def.nodes["gather"].inputs == {
        "items": FanIn((NodeOutput("inner"), NodeOutput("offset")))
    }

    steps = {s.name: s for s in everything.op_graph.steps}
    sources = {(n, i.name): i.source for n, s in steps.items() for i in s.inputs}
    numbers_out = StepOutput("inner.numbers", "result")
    assert sources[("inner.total", "values")] == Collected(
        StepOutput("inner.double", "result"), numbers_out
    )
    assert sources[("inner.total", "start")] == Plain(StepOutput("seed", "result"))
    assert sources[("inner.double", "n")] == Element(numbers_out, numbers_out)
    assert steps["inner.double"].mapped_over == numbers_out
    assert sources[("offset", "offset")] == Default(5)
    assert sources[("gather", "items")] == FanIn(
        (StepOutput("inner.total", "result"), StepOutput("offset", "result"))
    )
    assert list(steps["inner.total"].reads()) == [
        StepOutput("inner.double", "result"),
        numbers_out,
        StepOutput("seed", "result"),
    ]


def test_a_graph_input_the_caller_provides_stays_a_graph_input() -> None:
    resolved = build_op_graph(inner, "graph asset 'x'", external_inputs=["start"])
    total_step = resolved.step("total")
    assert {i.name: i.source for i in total_step.inputs}["start"] == GraphInput("start")
