"""Every check a set of definitions must pass, each raising an error that names the culprit,
where it is declared, and what to change."""

from __future__ import annotations

import difflib
import heapq
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from asset2airflow.asset_graph.nodes import CheckNode
from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.checks import AssetChecksDefinition
from asset2airflow.authoring.keys import AssetCheckKey, AssetKey
from asset2airflow.authoring.specs import DEFAULT_IO_MANAGER_KEY
from asset2airflow.errors import (
    CycleError,
    DuplicateKeyError,
    MissingResourceError,
    UnknownCheckTargetError,
    UnknownUpstreamError,
)

N = TypeVar("N", bound=Hashable)


def _describe(definition: AssetsDefinition | AssetChecksDefinition) -> str:
    if isinstance(definition, AssetChecksDefinition):
        return f"asset check {definition.key.to_user_string()!r} ({definition.location})"
    if definition.is_external:
        return f"AssetSpec({definition.key.to_user_string()!r})"
    kind = "multi_asset" if definition.is_multi else "asset"
    return f"{kind} {definition.node_name!r} ({definition.location})"


def _keys_of(definition: AssetsDefinition | AssetChecksDefinition) -> str:
    keys = definition.keys if isinstance(definition, AssetsDefinition) else [definition.key]
    return "keys " + ", ".join(repr(k.to_user_string()) for k in keys)


def index_keys(assets_defs: Sequence[AssetsDefinition]) -> dict[AssetKey, AssetsDefinition]:
    """Map each key to its definition; two definitions of one key are an error."""
    by_key: dict[AssetKey, AssetsDefinition] = {}
    for assets_def in assets_defs:
        for key in assets_def.keys:
            other = by_key.get(key)
            if other is not None:
                raise DuplicateKeyError(
                    f"asset key {key.to_user_string()!r} is defined twice: by {_describe(other)} "
                    f"and by {_describe(assets_def)}. Rename one of them or give it a key_prefix."
                )
            by_key[key] = assets_def
    return by_key


def check_node_names(
    assets_defs: Sequence[AssetsDefinition], checks_defs: Sequence[AssetChecksDefinition]
) -> None:
    """Node names become task ids and run-config keys, so they must be unique too."""
    seen: dict[str, AssetsDefinition | AssetChecksDefinition] = {}
    definitions: list[AssetsDefinition | AssetChecksDefinition] = [*assets_defs, *checks_defs]
    for definition in definitions:
        if isinstance(definition, AssetsDefinition) and definition.is_external:
            continue
        other = seen.get(definition.node_name)
        if other is not None and other is not definition:
            raise DuplicateKeyError(
                f"{_describe(definition)} with {_keys_of(definition)} and {_describe(other)} "
                f"with {_keys_of(other)} share the node name {definition.node_name!r} (task "
                "id and run-config key: '/' becomes '__' and '-' becomes '_'); give one of them "
                "another name or key."
            )
        seen[definition.node_name] = definition


def index_checks(
    assets_defs: Sequence[AssetsDefinition],
    checks_defs: Sequence[AssetChecksDefinition],
    by_key: Mapping[AssetKey, AssetsDefinition],
) -> dict[AssetCheckKey, CheckNode]:
    nodes: dict[AssetCheckKey, CheckNode] = {}
    candidates: list[tuple[Any, AssetsDefinition | AssetChecksDefinition]] = [
        (spec, a) for a in assets_defs for spec in a.check_specs
    ]
    candidates += [(c.spec, c) for c in checks_defs]
    for spec, definition in candidates:
        if spec.asset_key not in by_key:
            raise UnknownCheckTargetError(
                f"{_describe(definition)} checks asset {spec.asset_key.to_user_string()!r}, which "
                f"is not defined{_did_you_mean(spec.asset_key, by_key)}. Add the asset to "
                "Definitions, or fix the check's asset= argument."
            )
        if spec.key in nodes:
            raise DuplicateKeyError(
                f"check {spec.name!r} on {spec.asset_key.to_user_string()!r} is defined twice: by "
                f"{_describe(nodes[spec.key].definition)} and by {_describe(definition)}; "
                "rename one."
            )
        nodes[spec.key] = CheckNode(spec, definition)
    return nodes


def _did_you_mean(key: AssetKey, known: Iterable[AssetKey]) -> str:
    names = [k.to_user_string() for k in known]
    close = difflib.get_close_matches(key.to_user_string(), names, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_upstreams_exist(
    assets_defs: Sequence[AssetsDefinition],
    checks_defs: Sequence[AssetChecksDefinition],
    by_key: Mapping[AssetKey, AssetsDefinition],
) -> None:
    """An unknown upstream is an error, not an implicit external asset: in Airflow the DAG would
    wait forever for an asset nobody produces."""
    definitions: list[AssetsDefinition | AssetChecksDefinition] = [*assets_defs, *checks_defs]
    for definition in definitions:
        params = {i.key: i.param_name for i in definition.inputs}
        for key in definition.upstream_keys():
            if key in by_key:
                continue
            how = f"parameter {params[key]!r}" if key in params else "deps"
            unresolved = dict(
                definition.compute.unresolved_annotations if definition.compute else ()
            )
            hint = ""
            if params.get(key) in unresolved:
                hint = (
                    f" The parameter's annotation {unresolved[params[key]]!r} could not be "
                    "resolved; if it is a resource class, define it at module level."
                )
            raise UnknownUpstreamError(
                f"{_describe(definition)} depends on asset {key.to_user_string()!r} (through "
                f"{how}), but no asset with that key is defined{_did_you_mean(key, by_key)}. If "
                f"it is produced in another file or outside Airflow, declare it with "
                f"AssetSpec({key.to_user_string()!r}) in Definitions(assets=[...]); otherwise fix "
                f"the name.{hint}"
            )


def toposort(upstream: Mapping[N, Sequence[N]]) -> list[N]:
    """Kahn's algorithm, smallest ready node first, so the order is the same on every parse."""
    remaining = {node: len(set(parents)) for node, parents in upstream.items()}
    children: dict[N, list[N]] = {node: [] for node in upstream}
    for node, parents in upstream.items():
        for parent in set(parents):
            children[parent].append(node)
    ready: list[Any] = [node for node, count in remaining.items() if count == 0]
    heapq.heapify(ready)
    order: list[N] = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for child in children[node]:
            remaining[child] -= 1
            if remaining[child] == 0:
                heapq.heappush(ready, child)
    if len(order) != len(upstream):
        cycle = find_cycle(upstream)
        raise CycleError(
            "dependency cycle: " + " -> ".join(_label(n) for n in cycle) + ". Remove one of these "
            "dependencies (an asset cannot depend on itself or on its own downstream)."
        )
    return order


def _label(node: Any) -> str:
    return node.to_user_string() if isinstance(node, AssetKey) else str(node)


def find_cycle(upstream: Mapping[N, Sequence[N]]) -> list[N]:
    """One cycle, as a path that starts and ends at the same node (empty if acyclic)."""
    state: dict[N, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(upstream, key=_label):
        if state.get(start):
            continue
        path: list[N] = []
        stack: list[tuple[N, Any]] = [(start, iter(sorted(upstream[start], key=_label)))]
        state[start] = 1
        path.append(start)
        while stack:
            node, parents = stack[-1]
            parent = next(parents, None)
            if parent is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif state.get(parent) == 1:
                cycle = [*path[path.index(parent) :], parent]
                return list(reversed(cycle))
            elif not state.get(parent):
                state[parent] = 1
                path.append(parent)
                stack.append((parent, iter(sorted(upstream.get(parent, ()), key=_label))))
    return []


def check_acyclic(
    upstream: Mapping[AssetKey, Sequence[AssetKey]], by_key: Mapping[AssetKey, AssetsDefinition]
) -> list[AssetKey]:
    """The keys in dependency order; on a cycle, an error listing it and where it is defined."""
    try:
        return toposort(upstream)
    except CycleError:
        cycle = find_cycle(upstream)
        places = sorted({_describe(by_key[k]) for k in cycle})
        raise CycleError(
            "dependency cycle: "
            + " -> ".join(k.to_user_string() for k in cycle)
            + f" (defined in {'; '.join(places)}). Remove one of these dependencies: an asset "
            "cannot depend on itself or on its own downstream assets."
        ) from None


def input_manager_key(
    definition: AssetsDefinition | AssetChecksDefinition,
    param_name: str,
    by_key: Mapping[AssetKey, AssetsDefinition],
) -> str:
    """The resource that loads an input: its ``input_manager_key`` or the upstream's IO manager."""
    for asset_input in definition.inputs:
        if asset_input.param_name == param_name:
            if asset_input.asset_in.input_manager_key:
                return asset_input.asset_in.input_manager_key
            upstream = by_key[asset_input.key]
            return upstream.io_manager_keys[upstream.output_name_for(asset_input.key)]
    raise KeyError(param_name)


def check_resources(
    assets_defs: Sequence[AssetsDefinition],
    checks_defs: Sequence[AssetChecksDefinition],
    by_key: Mapping[AssetKey, AssetsDefinition],
    resource_keys: set[str],
) -> None:
    available = resource_keys | {DEFAULT_IO_MANAGER_KEY}
    definitions: list[AssetsDefinition | AssetChecksDefinition] = [
        d for d in assets_defs if not d.is_external
    ]
    definitions += checks_defs
    for definition in definitions:
        needed = set(definition.required_resource_keys)
        needed.update(
            input_manager_key(definition, i.param_name, by_key) for i in definition.inputs
        )
        missing = sorted(needed - available)
        if missing:
            raise MissingResourceError(
                f"{_describe(definition)} needs resource {missing[0]!r}, which is not provided; "
                f"provided resources: {sorted(available)}. Add it to "
                f"Definitions(resources={{{missing[0]!r}: ...}}) "
                "(or to materialize(resources=...))."
            )
