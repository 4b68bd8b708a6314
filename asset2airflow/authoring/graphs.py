"""``@graph`` and ``GraphDefinition``: ops (and graphs) composed by calling them in a function
body, or declared with ``node_defs`` and ``dependencies`` as Dagster's constructor allows.

A graph becomes runnable as a job (``to_job`` / ``@job``) or as an asset (``@graph_asset``).
Its body runs once, when decorated; see ``graph_composition`` for what each call records.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

from asset2airflow.authoring.graph_composition import (
    CollectedHandle,
    DynamicHandle,
    ElementHandle,
    FanIn,
    GraphInputHandle,
    InvokedOutputs,
    NodeInvocation,
    NodeOutput,
    OutputHandle,
    Plain,
    composing,
    current_composition,
)
from asset2airflow.authoring.names import check_name
from asset2airflow.authoring.ops import OpDefinition
from asset2airflow.authoring.refused import refuse_keywords
from asset2airflow.authoring.signature import location_of
from asset2airflow.errors import DefinitionError

if TYPE_CHECKING:
    from asset2airflow.authoring.op_jobs import JobDefinition
    from asset2airflow.authoring.partitions import PartitionsDefinition
    from asset2airflow.authoring.policy import RetryPolicy
    from asset2airflow.execution.job_runner import JobExecutionResult

GraphFn = Callable[..., Any]


class DependencyDefinition:
    """For ``GraphDefinition(dependencies=...)``: the input takes ``node``'s ``output``."""

    def __init__(self, node: str, output: str = "result", description: str | None = None) -> None:
        self.node = node
        self.output = output
        self.description = description


class MultiDependencyDefinition:
    """For ``GraphDefinition(dependencies=...)``: the input takes a list of several outputs."""

    def __init__(self, dependencies: Sequence[DependencyDefinition]) -> None:
        self.dependencies = list(dependencies)


class GraphDefinition:
    """Nodes (ops or graphs) and how their inputs connect; what ``@graph`` returns.

    ``GraphDefinition(name, node_defs=[...], dependencies={"node": {"input":
    DependencyDefinition("other")}})`` builds one without a body.
    """

    def __init__(
        self,
        name: str,
        description: str | None = None,
        node_defs: Sequence[OpDefinition | GraphDefinition] | None = None,
        dependencies: Mapping[str, Mapping[str, Any]] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        graph_name = check_name(name, "graph")
        by_name: dict[str, OpDefinition | GraphDefinition] = {}
        for definition in node_defs or ():
            if not isinstance(definition, OpDefinition | GraphDefinition):
                raise DefinitionError(
                    f"graph {graph_name!r}: node_defs holds {definition!r}; pass ops or graphs"
                )
            by_name[definition.name] = definition
        nodes: dict[str, NodeInvocation] = {n: NodeInvocation(n, d, {}) for n, d in by_name.items()}
        for node_name, inputs in (dependencies or {}).items():
            if node_name not in by_name:
                raise DefinitionError(
                    f"graph {graph_name!r}: dependencies name node {node_name!r}, which is not "
                    f"in node_defs {sorted(by_name)}"
                )
            bindings = {}
            for input_name, dep in inputs.items():
                bindings[input_name] = self._explicit_binding(graph_name, by_name, node_name, dep)
            nodes[node_name] = NodeInvocation(node_name, by_name[node_name], bindings)
        self._set(graph_name, description, nodes, (), {}, dict(tags or {}), "")

    @staticmethod
    def _explicit_binding(
        graph_name: str, by_name: Mapping[str, Any], node_name: str, dep: Any
    ) -> Plain[NodeOutput] | FanIn[NodeOutput]:
        deps = dep.dependencies if isinstance(dep, MultiDependencyDefinition) else [dep]
        refs = []
        for one in deps:
            if not isinstance(one, DependencyDefinition):
                raise DefinitionError(
                    f"graph {graph_name!r}: node {node_name!r} depends on {one!r}; use "
                    "DependencyDefinition(node, output) or MultiDependencyDefinition([...])"
                )
            if one.node not in by_name:
                raise DefinitionError(
                    f"graph {graph_name!r}: node {node_name!r} depends on unknown node "
                    f"{one.node!r}; nodes: {sorted(by_name)}"
                )
            refs.append(NodeOutput(one.node, one.output))
        if isinstance(dep, MultiDependencyDefinition):
            return FanIn(tuple(refs))
        return Plain(refs[0])

    def _set(
        self,
        name: str,
        description: str | None,
        nodes: Mapping[str, NodeInvocation],
        input_names: Sequence[str],
        outputs: Mapping[str, NodeOutput],
        tags: Mapping[str, str],
        location: str,
    ) -> None:
        self.name = name
        self.description = description
        self.nodes = dict(nodes)
        self.input_names = list(input_names)
        self.outputs = dict(outputs)
        self.tags = dict(tags)
        self.location = location

    @classmethod
    def composed(
        cls,
        name: str,
        description: str | None,
        nodes: Mapping[str, NodeInvocation],
        input_names: Sequence[str],
        outputs: Mapping[str, NodeOutput],
        tags: Mapping[str, str],
        location: str,
    ) -> GraphDefinition:
        graph = cls.__new__(cls)
        graph._set(name, description, nodes, input_names, outputs, tags, location)
        return graph

    @property
    def output_names(self) -> list[str]:
        return list(self.outputs)

    @property
    def node_defs(self) -> list[OpDefinition | GraphDefinition]:
        return list({id(n.definition): n.definition for n in self.nodes.values()}.values())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        composition = current_composition()
        if composition is None:
            raise DefinitionError(
                f"graph {self.name!r} ({self.location or 'GraphDefinition'}) was called outside "
                "a @graph/@job body; run it with .to_job(...).execute_in_process() or "
                ".execute_in_process()."
            )
        return composition.invoke_graph(self, self.name, args, kwargs)

    def to_job(
        self,
        name: str | None = None,
        description: str | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        config: Any = None,
        tags: Mapping[str, Any] | None = None,
        partitions_def: PartitionsDefinition | None = None,
        op_retry_policy: RetryPolicy | None = None,
        **not_built: Any,
    ) -> JobDefinition:
        """A job running this graph (in Airflow: a DAG named ``name`` or the graph's name)."""
        from asset2airflow.authoring.op_jobs import make_job

        return make_job(
            self,
            name=name or self.name,
            description=description or self.description,
            resource_defs=resource_defs,
            config=config,
            tags=tags,
            partitions_def=partitions_def,
            op_retry_policy=op_retry_policy,
            not_built=not_built,
            caller=f"{self.name}.to_job",
        )

    def execute_in_process(
        self,
        run_config: Any = None,
        resources: Mapping[str, Any] | None = None,
        raise_on_error: bool = True,
        run_id: str | None = None,
    ) -> JobExecutionResult:
        """Run the graph as a job in this process (``to_job().execute_in_process(...)``)."""
        return self.to_job().execute_in_process(
            run_config=run_config, resources=resources, raise_on_error=raise_on_error, run_id=run_id
        )

    def __repr__(self) -> str:
        return f"<GraphDefinition {self.name}>"


def _graph_outputs(
    returned: Any, out: Mapping[str, Any] | None, what: str
) -> dict[str, NodeOutput]:
    if returned is None:
        return {}
    if isinstance(returned, InvokedOutputs):
        items: list[tuple[str, Any]] = list(returned.as_dict().items())
    elif isinstance(returned, Mapping):
        items = list(returned.items())
    elif isinstance(returned, tuple):
        if out is None or len(out) != len(returned):
            raise DefinitionError(
                f"{what} returns {len(returned)} handles; name them with "
                "out={'a': GraphOut(), ...} (one per returned value) or return a dict."
            )
        items = list(zip(out, returned, strict=True))
    else:
        items = [(next(iter(out)) if out else "result", returned)]
    outputs: dict[str, NodeOutput] = {}
    for name, handle in items:
        if isinstance(handle, OutputHandle):
            outputs[check_name(name, "graph output", what)] = handle.ref
        elif isinstance(handle, DynamicHandle | ElementHandle | CollectedHandle):
            raise DefinitionError(
                f"{what}: output {name!r} is a dynamic (mapped or collected) handle; a graph "
                "output must be a plain op output. Collect into an op and return its output."
            )
        elif isinstance(handle, GraphInputHandle):
            raise DefinitionError(f"{what}: output {name!r} returns the graph input unchanged")
        else:
            raise DefinitionError(
                f"{what}: output {name!r} is {handle!r}, not the output of an op called in the "
                "body; return what an op call returned."
            )
    return outputs


def compose(
    fn: GraphFn,
    name: str,
    kind: str,
    description: str | None = None,
    out: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
) -> GraphDefinition:
    """Run ``fn``'s body as a composition and return the graph it describes."""
    graph_name = check_name(name, kind)
    location = location_of(fn)
    what = f"{kind} {graph_name!r} ({location})"
    params = inspect.signature(fn).parameters
    for param in params.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise DefinitionError(f"{what} takes *{param.name}; name each graph input")
    with composing(graph_name, location) as composition:
        returned = fn(**{p: GraphInputHandle(p) for p in params})
    if not composition.nodes:
        raise DefinitionError(f"{what} calls no ops; call at least one op in its body")
    return GraphDefinition.composed(
        graph_name,
        description or inspect.getdoc(fn) or None,
        composition.nodes,
        list(params),
        _graph_outputs(returned, out, what),
        dict(tags or {}),
        location,
    )


@overload
def graph(compose_fn: GraphFn) -> GraphDefinition: ...


@overload
def graph(
    compose_fn: None = None,
    *,
    name: str | None = ...,
    description: str | None = ...,
    out: Mapping[str, Any] | None = ...,
    tags: Mapping[str, str] | None = ...,
    ins: Mapping[str, Any] | None = ...,
    config: Any = ...,
    **dagster_keywords: Any,
) -> Callable[[GraphFn], GraphDefinition]: ...


def graph(
    compose_fn: GraphFn | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    out: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    ins: Mapping[str, Any] | None = None,
    config: Any = None,
    **dagster_keywords: Any,
) -> GraphDefinition | Callable[[GraphFn], GraphDefinition]:
    """Compose ops: call them in the body, passing one's output to another's input. Parameters
    are graph inputs; return an op's output (or a dict of them) to give the graph outputs.
    ``out`` names the values of a returned tuple. ``ins`` and ``config`` (config mapping) are
    not built and are refused, as are ``input_defs``/``output_defs``."""
    refuse_keywords("graph", dagster_keywords)
    for argument, value in (("ins", ins), ("config", config)):
        if value is not None:
            raise DefinitionError(
                f"graph({argument}=...) is not built yet: graph inputs are the function's "
                "parameters, and config is given per op (run config 'ops')."
            )

    def decorate(fn: GraphFn) -> GraphDefinition:
        if not callable(fn) or isinstance(fn, str | type):
            raise DefinitionError(f"@graph decorates a function, not {fn!r}")
        return compose(fn, name or fn.__name__, "graph", description, out, tags)

    return decorate(compose_fn) if compose_fn is not None else decorate


@overload
def job(compose_fn: Callable[..., Any]) -> JobDefinition: ...


@overload
def job(
    compose_fn: None = None,
    *,
    name: str | None = ...,
    description: str | None = ...,
    resource_defs: Mapping[str, Any] | None = ...,
    config: Any = ...,
    tags: Mapping[str, Any] | None = ...,
    partitions_def: PartitionsDefinition | None = ...,
    op_retry_policy: RetryPolicy | None = ...,
    **not_built: Any,
) -> Callable[[Callable[..., Any]], JobDefinition]: ...


def job(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    config: Any = None,
    tags: Mapping[str, Any] | None = None,
    partitions_def: PartitionsDefinition | None = None,
    op_retry_policy: RetryPolicy | None = None,
    **not_built: Any,
) -> JobDefinition | Callable[[Callable[..., Any]], JobDefinition]:
    """Compose ops into a job, as ``@graph`` does, bound to ``resource_defs``, default
    ``config``, ``tags`` (DAG tags and run tags) and optionally ``partitions_def``."""

    def decorate(fn: Callable[..., Any]) -> JobDefinition:
        if not callable(fn) or isinstance(fn, str | type):
            raise DefinitionError(f"@job decorates a function, not {fn!r}")
        graph_def = compose(fn, name or fn.__name__, "job", description)
        from asset2airflow.authoring.op_jobs import make_job

        return make_job(
            graph_def,
            name=graph_def.name,
            description=graph_def.description,
            resource_defs=resource_defs,
            config=config,
            tags=tags,
            partitions_def=partitions_def,
            op_retry_policy=op_retry_policy,
            not_built=not_built,
            caller="job",
        )

    return decorate(compose_fn) if compose_fn is not None else decorate
