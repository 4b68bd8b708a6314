"""Turning what a user selected (keys, key strings, definitions) into asset and check keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, Union

from asset2airflow.definitions.assets import AssetsDefinition
from asset2airflow.definitions.checks import AssetChecksDefinition
from asset2airflow.definitions.keys import AssetCheckKey, AssetKey
from asset2airflow.errors import SelectionError
from asset2airflow.graph.asset_graph import AssetGraph


class ResolvableSelection(Protocol):
    """Anything that can pick asset keys from a graph (``AssetSelection`` implements this)."""

    def resolve(self, graph: AssetGraph) -> set[AssetKey]: ...


SelectionItem = Union[str, AssetKey, AssetsDefinition, AssetChecksDefinition, Any]
CoercibleToSelection = Union[ResolvableSelection, str, Iterable[SelectionItem], None]


def resolve_selection(
    graph: AssetGraph, selection: CoercibleToSelection
) -> tuple[set[AssetKey], set[AssetCheckKey]]:
    """The selected materializable asset keys and checks.

    ``None`` selects everything. Selecting an asset selects its checks; selecting a check alone
    runs it against the stored asset value.
    """
    all_keys = set(graph.materializable_keys)
    if selection is None:
        return all_keys, set(graph.checks)
    if hasattr(selection, "resolve"):
        resolved = selection.resolve(graph)
        return resolved & all_keys, _checks_of(graph, resolved)
    items: Iterable[Any] = [selection] if isinstance(selection, (str, AssetKey)) else selection
    keys: set[AssetKey] = set()
    checks: set[AssetCheckKey] = set()
    for item in items:
        if isinstance(item, AssetChecksDefinition):
            checks.add(item.key)
            continue
        if isinstance(item, AssetsDefinition):
            item_keys = list(item.keys)
        elif isinstance(item, (str, AssetKey, list, tuple)):
            item_keys = [AssetKey.from_coercible(item)]
        else:
            raise SelectionError(
                f"cannot select {item!r}: use asset key strings ('sales/raw_sales'), AssetKeys, "
                "or asset/check definitions"
            )
        for key in item_keys:
            if not graph.has(key):
                known = ", ".join(k.to_user_string() for k in graph.materializable_keys[:20])
                raise SelectionError(
                    f"selection names asset {key.to_user_string()!r}, which is not defined; "
                    f"defined assets: {known}"
                )
            if graph.get(key).is_external:
                raise SelectionError(
                    f"selection names {key.to_user_string()!r}, an external asset (AssetSpec); it "
                    "is produced elsewhere and cannot be materialized here."
                )
            keys.add(key)
    return keys, checks | _checks_of(graph, keys)


def _checks_of(graph: AssetGraph, keys: set[AssetKey]) -> set[AssetCheckKey]:
    return {check.key for key in keys for check in graph.checks_for(key)}
