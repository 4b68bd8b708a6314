"""The resolved op graph of a job (or graph asset): nested graphs flattened into steps named by
their path (``outer.inner``), every input resolved to where its value comes from, and a stable
topological order. Built and validated once per job; what the local runner, the Airflow plan
and the operators read.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from asset2airflow.asset_graph.validation import find_cycle, toposort
from asset2airflow.authoring.graph_composition import (
    Binding,
    Collected,
    Default,
    Element,
    FanIn,
    GraphInput,
    NodeOutput,
    Plain,
)
from asset2airflow.authoring.graphs import GraphDefinition
from asset2airflow.authoring.ops import OpDefinition
from asset2airflow.authoring.policy import RetryPolicy
from asset2airflow.errors import CycleError, DefinitionError, MissingResourceError

if TYPE_CHECKING:
    from asset2airflow.authoring.op_jobs import JobDefinition


@dataclass(frozen=True, order=True)
class StepOutput:
    """Output ``output`` of step ``step`` (a full node path)."""

    step: str
    output: str

    def __str__(self) -> str:
        return f"{self.step}.{self.output}" if self.output != "result" else self.step


Source = Binding[StepOutput]
"""Where a step input's value comes from (the composition's vocabulary, with step outputs)."""


@dataclass(frozen=True)
class StepInput:
    name: str
    source: Source | None  # None: an unconnected Nothing input
    is_nothing: bool


@dataclass(frozen=True)
class OpStep:
    """One op of the job. ``mapped_over`` is the dynamic output it runs once per item of."""

    name: str
    op_def: OpDefinition
    inputs: tuple[StepInput, ...]
    mapped_over: StepOutput | None
    retry_policy: RetryPolicy | None
    upstream_steps: tuple[str, ...] = ()

    @property
    def node_name(self) -> str:
        return self.name

    @property
    def compute(self) -> Any:
        return self.op_def.compute

    def reads(self) -> Iterator[StepOutput]:
        for step_input in self.inputs:
            if step_input.source is not None:
                yield from step_input.source.reads()


@dataclass(frozen=True, eq=False)
class OpGraph:
    """The steps of one job in dependency order, and its graph outputs."""

    owner: str
    steps: tuple[OpStep, ...]
    outputs: Mapping[str, StepOutput]

    def step(self, name: str) -> OpStep:
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, OpStep]:
        return {s.name: s for s in self.steps}

    @property
    def mapped_roots(self) -> set[StepOutput]:
        """Dynamic outputs some step is mapped over."""
        return {s.mapped_over for s in self.steps if s.mapped_over is not None}


class _Flattener:
    def __init__(
        self, owner: str, op_retry_policy: RetryPolicy | None, external: Collection[str]
    ) -> None:
        self.owner = owner
        self.op_retry_policy = op_retry_policy
        self.external = set(external)
        self.steps: dict[str, OpStep] = {}

    def expand(
        self, graph: GraphDefinition, prefix: str, given: Mapping[str, Source | None]
    ) -> dict[str, StepOutput]:
        outputs: dict[str, dict[str, StepOutput]] = {}
        for node_name in _node_order(graph, self.owner):
            node = graph.nodes[node_name]
            definition = node.definition
            path = prefix + node_name
            where = f"{self.owner}: node {path!r} (op {definition.name!r}, graph {graph.name!r}"
            where += f" at {graph.location})" if graph.location else ")"

            def resolve(
                binding: Binding[NodeOutput], input_name: str, where: str = where
            ) -> Source | None:
                return self._resolve(binding, input_name, outputs, given, where)

            if isinstance(definition, GraphDefinition):
                inner = {n: resolve(b, n) for n, b in node.inputs.items()}
                outputs[node_name] = self.expand(definition, path + ".", inner)
                continue
            inputs = []
            mapped: set[StepOutput] = set()
            for input_name, declared in definition.ins.items():
                binding = node.inputs.get(input_name)
                source = resolve(binding, input_name) if binding is not None else None
                if isinstance(binding, Element) and isinstance(source, Element):
                    mapped.add(source.root)
                if source is None and declared.has_default:
                    source = Default(declared.default_value)
                if source is None and not declared.is_nothing:
                    raise DefinitionError(
                        f"{where}: input {input_name!r} is not connected and has no default "
                        "value. Pass another op's output to it in the graph body, or declare it "
                        "with In(default_value=...)."
                    )
                inputs.append(StepInput(input_name, source, declared.is_nothing))
            policy = node.retry_policy or definition.retry_policy or self.op_retry_policy
            self.steps[path] = OpStep(
                path, definition, tuple(inputs), next(iter(mapped), None), policy
            )
            outputs[node_name] = {o: StepOutput(path, o) for o in definition.outs}
        return {
            name: self._ref(ref, outputs, f"{self.owner}: graph {graph.name!r} output {name!r}")
            for name, ref in graph.outputs.items()
        }

    def _ref(
        self, ref: NodeOutput, outputs: Mapping[str, Mapping[str, StepOutput]], where: str
    ) -> StepOutput:
        produced = outputs.get(ref.node)
        if produced is None or ref.output not in produced:
            known = sorted(produced) if produced is not None else []
            raise DefinitionError(
                f"{where}: depends on output {ref.output!r} of node {ref.node!r}, which does not "
                f"exist (its outputs: {known}); fix the dependency."
            )
        return produced[ref.output]

    def _resolve(
        self,
        binding: Binding[NodeOutput],
        input_name: str,
        outputs: Mapping[str, Mapping[str, StepOutput]],
        given: Mapping[str, Source | None],
        where: str,
    ) -> Source | None:
        """``binding`` with its node outputs resolved to step outputs; a graph input is what
        the enclosing graph was given. Plain and fan-in inputs may not read a dynamic output."""
        if isinstance(binding, GraphInput):
            return given.get(binding.name)
        if isinstance(binding, Plain | FanIn):
            return binding.map_refs(lambda ref: self._plain_ref(ref, outputs, where))
        if isinstance(binding, Element | Collected):
            return binding.map_refs(lambda ref: self._ref(ref, outputs, where))
        raise DefinitionError(f"{where}: input {input_name!r} has an unknown binding {binding!r}")

    def _plain_ref(
        self, ref: NodeOutput, outputs: Mapping[str, Mapping[str, StepOutput]], where: str
    ) -> StepOutput:
        resolved = self._ref(ref, outputs, where)
        producer = self.steps.get(resolved.step)
        if producer is not None and producer.op_def.outs[resolved.output].is_dynamic:
            raise DefinitionError(
                f"{where}: reads the dynamic output {resolved} directly; map over it "
                "(.map) or collect it (.collect()) in a graph body."
            )
        return resolved


def _node_order(graph: GraphDefinition, owner: str) -> list[str]:
    """The graph's nodes, each after the nodes it reads from."""

    def parents(binding: Binding[NodeOutput]) -> list[str]:
        return [ref.node for ref in binding.reads()]

    upstream = {
        name: sorted({p for b in node.inputs.values() for p in parents(b)} & set(graph.nodes))
        for name, node in graph.nodes.items()
    }
    try:
        toposort(upstream)
    except CycleError:
        cycle = " -> ".join(find_cycle(upstream))
        raise CycleError(
            f"{owner}: the nodes of graph {graph.name!r} depend on each other in a cycle: "
            f"{cycle}. Remove one of these dependencies."
        ) from None
    order = list(graph.nodes)  # composition order is already an order; keep it when it works
    position = {n: i for i, n in enumerate(order)}
    if all(position[p] < position[n] for n in order for p in upstream[n]):
        return order
    return toposort(upstream)


def check_job_resources(job: JobDefinition, provided: Mapping[str, Any]) -> None:
    """Every resource an op needs is provided (the default IO manager always is)."""
    for step in job.op_graph.steps:
        missing = sorted(step.op_def.required_resource_keys - set(provided) - {"io_manager"})
        if missing:
            raise MissingResourceError(
                f"op {step.name!r} of job {job.name!r} ({step.op_def.location}) needs resources "
                f"{missing}, which are not provided (provided: {sorted(provided)}). Pass them in "
                "@job(resource_defs={...}), Definitions(resources={...}) or "
                "execute_in_process(resources={...})."
            )


def build_op_graph(
    graph: GraphDefinition,
    owner: str,
    op_retry_policy: RetryPolicy | None = None,
    external_inputs: Collection[str] = (),
) -> OpGraph:
    """Flatten and validate ``graph``; ``owner`` (e.g. ``job 'etl'``) names it in errors.
    ``external_inputs`` are graph inputs the caller provides (a graph asset's upstreams)."""
    missing = [n for n in graph.input_names if n not in external_inputs]
    if missing:
        raise DefinitionError(
            f"{owner}: graph {graph.name!r} ({graph.location}) has inputs {missing}, which "
            "nothing provides in a job; give the ops In(default_value=...) or read the values "
            "from config instead of graph inputs."
        )
    flattener = _Flattener(owner, op_retry_policy, external_inputs)
    outputs = flattener.expand(graph, "", {n: GraphInput(n) for n in external_inputs})
    steps = flattener.steps
    upstream = {
        name: sorted({ref.step for ref in step.reads()} - {name}) for name, step in steps.items()
    }
    ordered = [steps[name] for name in toposort(upstream)]
    return OpGraph(
        owner,
        tuple(
            OpStep(
                s.name, s.op_def, s.inputs, s.mapped_over, s.retry_policy, tuple(upstream[s.name])
            )
            for s in ordered
        ),
        outputs,
    )
