"""``@graph_asset`` and ``@graph_multi_asset``: assets computed by a graph of ops.

The graph's inputs are upstream assets (by parameter name, or ``ins``), its output(s) the asset
value(s). The graph's ops run inside the asset's one step — in Airflow, the asset's one task —
with intermediate values kept in memory; the asset value is stored by the asset's IO manager.
Config for the inner ops is one ``Config`` of the asset whose fields are the ops (run config:
``{"ops": {"<asset>": {"ops": {"<op>": {"config": {...}}}}}}``, as in Dagster).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pydantic import create_model

from asset2airflow.authoring import seams
from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.config import Config
from asset2airflow.authoring.context import AssetExecutionContext
from asset2airflow.authoring.decorators import asset, multi_asset
from asset2airflow.authoring.graphs import GraphDefinition, compose
from asset2airflow.authoring.keys import CoercibleToAssetKey, CoercibleToAssetKeyPrefix
from asset2airflow.authoring.op_config import default_instance, graph_config_field
from asset2airflow.authoring.partitions import PartitionsDefinition
from asset2airflow.authoring.policy import AutomationCondition
from asset2airflow.authoring.refused import refuse_keywords
from asset2airflow.authoring.specs import AssetIn, AssetOut
from asset2airflow.errors import DefinitionError


class _GraphCompute:
    """The asset's compute function: runs the graph's ops (``execution.graph_asset_runner``).

    Its signature (context, config, one parameter per graph input) is what ``@asset`` reads;
    ``__qualname__`` is the graph's ``file:line``, so errors point at the user's code."""

    def __init__(self, graph_def: GraphDefinition, owner: str, output_names: Sequence[str]) -> None:
        self.graph_def = graph_def
        self.owner = owner
        self.output_names = list(output_names)
        self.op_graph = seams.build_op_graph(
            graph_def, owner, external_inputs=graph_def.input_names
        )
        self.config_type = _graph_config(self.op_graph, graph_def.name)
        self.__name__ = graph_def.name
        self.__qualname__ = graph_def.location
        self.__doc__ = graph_def.description or ""
        params = [
            inspect.Parameter(
                "context", inspect.Parameter.KEYWORD_ONLY, annotation=AssetExecutionContext
            )
        ]
        if self.config_type is not None:
            params.append(
                inspect.Parameter(
                    "config", inspect.Parameter.KEYWORD_ONLY, annotation=self.config_type
                )
            )
        params += [
            inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY) for n in graph_def.input_names
        ]
        self.__signature__ = inspect.Signature(params)

    @property
    def resource_keys(self) -> set[str]:
        """What the inner ops need, except the IO managers of their outputs (memory here)."""
        keys: set[str] = set()
        for step in self.op_graph.steps:
            io_keys = {o.io_manager_key for o in step.op_def.outs.values()}
            keys |= set(step.op_def.required_resource_keys) - io_keys
        return keys

    def __call__(self, context: AssetExecutionContext, config: Any = None, **inputs: Any) -> Any:
        values = seams.run_graph_in_asset(self.op_graph, self.owner, context, config, inputs)
        if len(self.output_names) == 1 and self.output_names[0] == "result":
            return values.get("result")
        return tuple(values.get(n) for n in self.output_names)


def _graph_config(op_graph: Any, name: str) -> type[Config] | None:
    """One field per inner op that takes config (optional when the op's config has defaults)."""
    fields: dict[str, Any] = {}
    for step in op_graph.steps:
        config_type = step.op_def.config_type
        if config_type is not None:
            default = default_instance(config_type)
            fields[graph_config_field(step.name)] = (
                config_type,
                ... if default is None else default,
            )
    if not fields:
        return None
    model: type[Config] = create_model(
        f"{name}_graph_config", __base__=Config, __module__=__name__, **fields
    )
    return model


_GRAPH_ASSET_KEYWORDS = {
    "config": "configure the inner ops through run config",
    "check_specs": "put the checks in @asset_check functions",
    "can_subset": "write one @graph_asset per asset that must run on its own",
}
"""What to use instead of the graph-asset keywords not built (the others: ``REFUSED_KEYWORDS``)."""


def graph_asset(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    key_prefix: CoercibleToAssetKeyPrefix = None,
    key: CoercibleToAssetKey | None = None,
    group_name: str | None = None,
    partitions_def: PartitionsDefinition | None = None,
    metadata: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    owners: Sequence[str] | None = None,
    kinds: Iterable[str] | None = None,
    automation_condition: AutomationCondition | None = None,
    code_version: str | None = None,
    config: Any = None,
    check_specs: Any = None,
    resource_defs: Any = None,
    hooks: Any = None,
    backfill_policy: Any = None,
    **dagster_keywords: Any,
) -> Any:
    """An asset whose value is the output of a graph of ops (see the module doc). The body
    composes ops as in ``@graph``; its parameters are upstream assets."""
    not_built = {
        "config": config,
        "check_specs": check_specs,
        "resource_defs": resource_defs,
        "hooks": hooks,
        "backfill_policy": backfill_policy,
    }
    refuse_keywords("graph_asset", {**not_built, **dagster_keywords}, _GRAPH_ASSET_KEYWORDS)

    def decorate(fn: Callable[..., Any]) -> AssetsDefinition:
        graph_def = compose(fn, name or fn.__name__, "graph_asset", description)
        if graph_def.output_names != ["result"]:
            raise DefinitionError(
                f"graph_asset {graph_def.name!r} ({graph_def.location}) must return one op "
                f"output (it returns {graph_def.output_names or 'nothing'}); for several assets "
                "use @graph_multi_asset."
            )
        compute = _GraphCompute(graph_def, f"graph_asset {graph_def.name!r}", ["result"])
        return asset(
            name=graph_def.name if key is None else None,
            key=key,
            key_prefix=key_prefix,
            ins=ins,
            description=graph_def.description,
            group_name=group_name,
            partitions_def=partitions_def,
            metadata=metadata,
            tags=tags,
            owners=owners,
            kinds=kinds,
            automation_condition=automation_condition,
            code_version=code_version,
            required_resource_keys=compute.resource_keys,
        )(compute)

    return decorate(compose_fn) if compose_fn is not None else decorate


def graph_multi_asset(
    *,
    outs: Mapping[str, AssetOut],
    name: str | None = None,
    description: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    group_name: str | None = None,
    partitions_def: PartitionsDefinition | None = None,
    can_subset: bool = False,
    config: Any = None,
    check_specs: Any = None,
    resource_defs: Any = None,
    **dagster_keywords: Any,
) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """Several assets computed by one graph: return a dict of op outputs keyed like ``outs``
    (or a tuple in ``outs`` order). Dagster's ``hooks`` and ``backfill_policy`` are refused."""
    not_built = {
        "can_subset": can_subset,
        "config": config,
        "check_specs": check_specs,
        "resource_defs": resource_defs,
    }
    refuse_keywords(
        "graph_multi_asset", {**not_built, **dagster_keywords}, _GRAPH_ASSET_KEYWORDS
    )

    def decorate(fn: Callable[..., Any]) -> AssetsDefinition:
        graph_def = compose(fn, name or fn.__name__, "graph_multi_asset", description, out=outs)
        if sorted(graph_def.output_names) != sorted(outs):
            raise DefinitionError(
                f"graph_multi_asset {graph_def.name!r} ({graph_def.location}) returns outputs "
                f"{graph_def.output_names} but declares outs {list(outs)}; return a dict with "
                "exactly those keys."
            )
        compute = _GraphCompute(graph_def, f"graph_multi_asset {graph_def.name!r}", list(outs))
        return multi_asset(
            outs=outs,
            name=graph_def.name,
            ins=ins,
            description=graph_def.description,
            group_name=group_name,
            partitions_def=partitions_def,
            required_resource_keys=compute.resource_keys,
        )(compute)

    return decorate
