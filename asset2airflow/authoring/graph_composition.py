"""Composition: what happens when ops and graphs are called inside a ``@graph``/``@job`` body.

The body runs once, when it is decorated. Each call records a node (``NodeInvocation``) and
returns handles to its outputs; passing a handle to another call connects the two. A
``DynamicOut`` gives a ``DynamicHandle``: ``.map(fn)`` calls ``fn`` with an ``ElementHandle``
(ops called with one run once per item: they are *mapped*), ``.collect()`` gives the list.
Every mistake is reported here, naming the graph, the op and the graph's ``file:line``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, Union

from asset2airflow.authoring.policy import RetryPolicy
from asset2airflow.errors import DefinitionError

if TYPE_CHECKING:
    from asset2airflow.authoring.graphs import GraphDefinition
    from asset2airflow.authoring.ops import OpDefinition


@dataclass(frozen=True, order=True)
class NodeOutput:
    """Output ``output`` of node ``node`` (a node name within one graph)."""

    node: str
    output: str = "result"


# --- input bindings ----------------------------------------------------------------------------
# One vocabulary says where an op input's value comes from, in a composition (references are
# ``NodeOutput``s, node names within one graph) and in the resolved op graph
# (``asset_graph.op_graph``: references are ``StepOutput``s, full step paths). Resolving a graph
# maps each binding's references (``map_refs``) and keeps its kind.

R = TypeVar("R")
S = TypeVar("S")


@dataclass(frozen=True)
class Plain(Generic[R]):
    """The value of an unmapped output ``ref``."""

    ref: R

    def reads(self) -> tuple[R, ...]:
        """The outputs the input reads (its upstream dependencies)."""
        return (self.ref,)

    def map_refs(self, resolve: Callable[[R], S]) -> Plain[S]:
        return Plain(resolve(self.ref))


@dataclass(frozen=True)
class Element(Generic[R]):
    """One item (per mapping key) of ``ref``: a ``DynamicOut`` or the output of an op mapped
    over the dynamic output ``root``. The consuming op is mapped over ``root``."""

    ref: R
    root: R

    def reads(self) -> tuple[R, ...]:
        return (self.ref,)

    def map_refs(self, resolve: Callable[[R], S]) -> Element[S]:
        return Element(resolve(self.ref), resolve(self.root))


@dataclass(frozen=True)
class Collected(Generic[R]):
    """Every item of ``ref`` as a list, in the order the dynamic output ``root`` yielded
    them."""

    ref: R
    root: R

    def reads(self) -> tuple[R, ...]:
        return (self.ref, self.root)

    def map_refs(self, resolve: Callable[[R], S]) -> Collected[S]:
        return Collected(resolve(self.ref), resolve(self.root))


@dataclass(frozen=True)
class FanIn(Generic[R]):
    """A list of several unmapped outputs (``op(inputs=[a(), b()])``)."""

    refs: tuple[R, ...]

    def reads(self) -> tuple[R, ...]:
        return self.refs

    def map_refs(self, resolve: Callable[[R], S]) -> FanIn[S]:
        return FanIn(tuple(resolve(r) for r in self.refs))


@dataclass(frozen=True)
class GraphInput:
    """The enclosing graph's input ``name``; at the top of a resolved graph, a value the caller
    passes in (the upstream asset of a graph asset's input)."""

    name: str

    def reads(self) -> tuple[()]:
        return ()


@dataclass(frozen=True)
class Default:
    """The input's ``In(default_value=...)`` (nothing is connected; resolved graphs only)."""

    value: Any

    def reads(self) -> tuple[()]:
        return ()


Binding = Union[Plain[R], Element[R], Collected[R], FanIn[R], GraphInput, Default]
"""Where an input's value comes from, with references of type ``R``."""


@dataclass(frozen=True)
class NodeInvocation:
    """One call in a composition: ``definition`` (an op or a graph) under node ``name``."""

    name: str
    definition: OpDefinition | GraphDefinition
    inputs: Mapping[str, Binding[NodeOutput]]
    retry_policy: RetryPolicy | None = None

    @property
    def mapped_root(self) -> NodeOutput | None:
        roots = {b.root for b in self.inputs.values() if isinstance(b, Element)}
        return next(iter(roots)) if roots else None


# --- handles ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutputHandle:
    """A node's (unmapped) output inside a composition."""

    ref: NodeOutput
    is_nothing: bool = False


@dataclass(frozen=True)
class GraphInputHandle:
    """An input of the graph being composed (its function's parameter)."""

    name: str


@dataclass(frozen=True)
class ElementHandle:
    """One item of a dynamic output, inside a ``.map`` function."""

    ref: NodeOutput
    root: NodeOutput
    is_nothing: bool = False


@dataclass(frozen=True)
class CollectedHandle:
    """All items of a dynamic output, as a list (``.collect()``)."""

    ref: NodeOutput
    root: NodeOutput


@dataclass(frozen=True)
class DynamicHandle:
    """A ``DynamicOut`` of an op, or what ``.map`` returned: map over it or collect it."""

    ref: NodeOutput
    root: NodeOutput
    composition: Composition = field(repr=False, compare=False)

    def map(self, fn: Callable[..., Any]) -> Any:
        """Call ``fn`` with one item: the ops it calls run once per item (mapping key)."""
        return self.composition.map(self, fn)

    def collect(self) -> CollectedHandle:
        """All items as one list input, in the order they were yielded."""
        return CollectedHandle(self.ref, self.root)


class InvokedOutputs(tuple[Any, ...]):
    """The handles of an op with several outputs: unpack them, or read them by output name."""

    _names: tuple[str, ...]

    def __new__(cls, names: Sequence[str], handles: Sequence[Any]) -> InvokedOutputs:
        made = super().__new__(cls, handles)
        made._names = tuple(names)
        return made

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._names:
            raise AttributeError(f"no output {name!r}; outputs: {list(self._names)}")
        return self[self._names.index(name)]

    def as_dict(self) -> dict[str, Any]:
        return dict(zip(self._names, self, strict=True))


# --- the composition -------------------------------------------------------------------------

_CURRENT: ContextVar[Composition | None] = ContextVar("asset2airflow_composition", default=None)


def current_composition() -> Composition | None:
    return _CURRENT.get()


class Composition:
    """The nodes recorded while one graph body runs."""

    def __init__(self, graph_name: str, location: str) -> None:
        self.graph_name = graph_name
        self.location = location
        self.nodes: dict[str, NodeInvocation] = {}
        self._mapping_depth = 0

    def where(self, what: str) -> str:
        return f"{what} in graph {self.graph_name!r} ({self.location})"

    def _unique_name(self, name: str) -> str:
        if name not in self.nodes:
            return name
        number = 2
        while f"{name}_{number}" in self.nodes:
            number += 1
        return f"{name}_{number}"

    def _bind(
        self,
        what: str,
        input_names: Sequence[str],
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
    ) -> dict[str, Any]:
        if len(args) > len(input_names):
            raise DefinitionError(
                f"{self.where(what)} was called with {len(args)} positional inputs but has "
                f"{len(input_names)} inputs {list(input_names)}"
            )
        given = dict(zip(input_names, args, strict=False))
        for name, value in kwargs.items():
            if name not in input_names:
                raise DefinitionError(
                    f"{self.where(what)} was called with unknown input {name!r}; its inputs are "
                    f"{list(input_names)}. Fix the input name."
                )
            if name in given:
                raise DefinitionError(f"{self.where(what)} got input {name!r} twice")
            given[name] = value
        return given

    def _binding(self, what: str, name: str, value: Any, takes_value: bool) -> Binding[NodeOutput]:
        if isinstance(value, OutputHandle | ElementHandle) and value.is_nothing and takes_value:
            raise DefinitionError(
                f"{self.where(what)}: input {name!r} is connected to the Nothing output "
                f"{value.ref.node}.{value.ref.output}, which carries no value; declare the input "
                "In(Nothing) (and drop the parameter) to only wait for that op."
            )
        if isinstance(value, OutputHandle):
            return Plain(value.ref)
        if isinstance(value, ElementHandle):
            if self._mapping_depth == 0:
                raise DefinitionError(f"{self.where(what)}: an item handle was used outside .map")
            return Element(value.ref, value.root)
        if isinstance(value, CollectedHandle):
            return Collected(value.ref, value.root)
        if isinstance(value, GraphInputHandle):
            return GraphInput(value.name)
        if isinstance(value, DynamicHandle):
            raise DefinitionError(
                f"{self.where(what)}: input {name!r} is given the dynamic output "
                f"{value.ref.node}.{value.ref.output}; use .map(fn) to run per item or "
                ".collect() to receive them all as a list."
            )
        if (
            isinstance(value, list | tuple)
            and value
            and all(isinstance(v, OutputHandle) for v in value)
        ):
            return FanIn(tuple(v.ref for v in value))
        raise DefinitionError(
            f"{self.where(what)}: input {name!r} is given {value!r}, which is not an output of "
            "another op. Inside a graph, inputs connect ops; for a constant give the input "
            "In(default_value=...) or read it from config."
        )

    def invoke(
        self,
        op_def: OpDefinition,
        name: str,
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
        retry_policy: RetryPolicy | None,
    ) -> Any:
        node_name = self._unique_name(name)
        what = f"op {op_def.name!r}"
        if node_name != op_def.name:
            what += f" (node {node_name!r})"
        given = self._bind(what, op_def.input_names, args, kwargs)
        bindings = {
            n: self._binding(what, n, v, not op_def.ins[n].is_nothing) for n, v in given.items()
        }
        node = NodeInvocation(node_name, op_def, bindings, retry_policy)
        root = self._check_mapping(node, what)
        if root is not None and op_def.has_dynamic_output:
            raise DefinitionError(
                f"{self.where(what)} has a DynamicOut but is itself mapped over "
                f"{root.node}.{root.output}; nested dynamic mapping is not supported (as in "
                "Dagster): collect first, then fan out again from an op."
            )
        self.nodes[node_name] = node
        handles: list[DynamicHandle | ElementHandle | OutputHandle] = []
        for out_name, out in op_def.outs.items():
            ref = NodeOutput(node_name, out_name)
            if out.is_dynamic:
                handles.append(DynamicHandle(ref, ref, self))
            elif root is not None:
                handles.append(ElementHandle(ref, root, out.is_nothing))
            else:
                handles.append(OutputHandle(ref, out.is_nothing))
        if len(handles) == 1:
            return handles[0]
        return InvokedOutputs(op_def.output_names, handles)

    def _check_mapping(self, node: NodeInvocation, what: str) -> NodeOutput | None:
        roots = {b.root for b in node.inputs.values() if isinstance(b, Element)}
        if len(roots) > 1:
            named = sorted(f"{r.node}.{r.output}" for r in roots)
            raise DefinitionError(
                f"{self.where(what)} takes items of several dynamic outputs {named}; an op can "
                "be mapped over one dynamic output only. Collect the others first."
            )
        return next(iter(roots)) if roots else None

    def invoke_graph(
        self,
        graph_def: GraphDefinition,
        name: str,
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
    ) -> Any:
        node_name = self._unique_name(name)
        what = f"graph {graph_def.name!r}"
        given = self._bind(what, graph_def.input_names, args, kwargs)
        bindings = {n: self._binding(what, n, v, True) for n, v in given.items()}
        if any(isinstance(b, Element) for b in bindings.values()):
            raise DefinitionError(
                f"{self.where(what)} is called inside .map; mapping over a graph is not built "
                "yet. Map over ops instead: items.map(lambda item: second(first(item)))."
            )
        self.nodes[node_name] = NodeInvocation(node_name, graph_def, bindings)
        handles = [OutputHandle(NodeOutput(node_name, out)) for out in graph_def.output_names]
        if not handles:
            return None
        if len(handles) == 1:
            return handles[0]
        return InvokedOutputs(graph_def.output_names, handles)

    def map(self, handle: DynamicHandle, fn: Callable[..., Any]) -> Any:
        if self._mapping_depth:
            raise DefinitionError(
                f"{self.where('.map')}: .map inside .map (nested dynamic mapping) is not supported"
            )
        self._mapping_depth += 1
        try:
            returned = fn(ElementHandle(handle.ref, handle.root))
        finally:
            self._mapping_depth -= 1
        return self._lift(returned)

    def _lift(self, value: Any) -> Any:
        """What a ``.map`` function returned, with item handles turned into dynamic handles."""
        if isinstance(value, ElementHandle):
            return DynamicHandle(value.ref, value.root, self)
        if isinstance(value, InvokedOutputs):
            return InvokedOutputs(value._names, [self._lift(v) for v in value])
        if isinstance(value, tuple):
            return tuple(self._lift(v) for v in value)
        return value


@contextmanager
def composing(graph_name: str, location: str) -> Iterator[Composition]:
    composition = Composition(graph_name, location)
    token = _CURRENT.set(composition)
    try:
        yield composition
    finally:
        _CURRENT.reset(token)
