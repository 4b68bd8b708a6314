"""Turning what a user selected (an ``AssetSelection``, selection strings, keys, definitions)
into the asset and check keys of one run."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, Union

from asset2airflow.asset_graph.graph import AssetGraph
from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.checks import AssetChecksDefinition
from asset2airflow.authoring.keys import AssetCheckKey, AssetKey
from asset2airflow.authoring.selection import AssetSelection
from asset2airflow.authoring.selection_graph import unknown_keys_message
from asset2airflow.authoring.selection_operators import KeysAssetSelection
from asset2airflow.errors import SelectionError


class ResolvableSelection(Protocol):
    """Anything that can pick asset keys from a graph (``AssetSelection`` implements this, and
    ``resolve_checks`` too; without it a selection runs the checks of its assets)."""

    def resolve(self, graph: AssetGraph) -> set[AssetKey]: ...


SelectionItem = Union[str, AssetKey, AssetsDefinition, AssetChecksDefinition, Any]
CoercibleToSelection = Union[ResolvableSelection, str, Iterable[SelectionItem], None]


def resolve_selection(
    graph: AssetGraph, selection: CoercibleToSelection
) -> tuple[set[AssetKey], set[AssetCheckKey]]:
    """The selected materializable asset keys and checks.

    ``None`` selects everything. A string is Dagster's selection syntax (``"group:raw"``,
    ``"+report"``, a key path ``"sales/raw"``); a list unites its items. Selecting an asset
    selects its checks; selecting a check alone runs it against the stored asset value. Naming an
    external asset (``AssetSpec``) explicitly, or selecting nothing to run, is an error.
    """
    if selection is None:
        return set(graph.materializable_keys), set(graph.checks)
    if hasattr(selection, "resolve"):
        keys, checks = _resolve_object(graph, selection)
    else:
        keys, checks = _resolve_items(graph, selection)
    _check_in_asset_checks(graph, keys, checks)
    if not keys and not checks:
        raise SelectionError(
            f"selection {_describe(selection)} selects nothing to run: no asset that is "
            "materialized here (external AssetSpecs are not) and no check. Check the names, "
            "groups and tags it uses."
        )
    return keys, checks


def _resolve_object(graph: AssetGraph, selection: Any) -> tuple[set[AssetKey], set[AssetCheckKey]]:
    resolved: set[AssetKey] = selection.resolve(graph)
    resolve_checks = getattr(selection, "resolve_checks", None)
    checks: set[AssetCheckKey] = (
        resolve_checks(graph) if resolve_checks is not None else _checks_of(graph, resolved)
    )
    return resolved & set(graph.materializable_keys), checks


def _resolve_items(
    graph: AssetGraph, selection: str | AssetKey | Iterable[Any]
) -> tuple[set[AssetKey], set[AssetCheckKey]]:
    items: Iterable[Any] = [selection] if isinstance(selection, (str, AssetKey)) else selection
    keys: set[AssetKey] = set()
    checks: set[AssetCheckKey] = set()
    item_keys: list[AssetKey]
    for item in items:
        if isinstance(item, AssetChecksDefinition):
            checks.add(item.key)
            continue
        if isinstance(item, str):
            parsed = AssetSelection.from_string(item)
            if not isinstance(parsed, KeysAssetSelection):  # a traversal, a group, an expression
                selected, selected_checks = _resolve_object(graph, parsed)
                keys |= selected
                checks |= selected_checks
                continue
            item_keys = list(parsed.selected_keys)
        elif isinstance(item, AssetsDefinition):
            item_keys = list(item.keys)
        elif isinstance(item, (AssetKey, list, tuple)):
            item_keys = [AssetKey.from_coercible(item)]
        elif hasattr(item, "resolve"):
            selected, selected_checks = _resolve_object(graph, item)
            keys |= selected
            checks |= selected_checks
            continue
        else:
            raise SelectionError(
                f"cannot select {item!r}: use selection strings ('sales/raw_sales', "
                "'group:sales'), AssetKeys, AssetSelections, or asset/check definitions"
            )
        for key in item_keys:
            if not graph.has(key):
                raise SelectionError(
                    unknown_keys_message(graph, [key.to_user_string()], "selection")
                )
            if graph.get(key).is_external:
                raise SelectionError(
                    f"selection names {key.to_user_string()!r}, an external asset (AssetSpec); it "
                    "is produced elsewhere and cannot be materialized here."
                )
            keys.add(key)
            checks |= _checks_of(graph, {key})
    return keys, checks


def _check_in_asset_checks(
    graph: AssetGraph, keys: set[AssetKey], checks: set[AssetCheckKey]
) -> None:
    """A check declared with ``@asset(check_specs=...)`` is computed by its asset: it cannot run
    without it."""
    for check_key in sorted(checks):
        node = graph.checks[check_key]
        if node.in_asset and check_key.asset_key not in keys:
            asset = check_key.asset_key.to_user_string()
            raise SelectionError(
                f"the selection includes check {check_key.to_user_string()!r} but not asset "
                f"{asset!r}; that check is computed by the asset itself (check_specs=...), so it "
                f"only runs with it. Select {asset!r} too, or leave its checks out."
            )


def _describe(selection: Any) -> str:
    if isinstance(selection, str):
        return repr(selection)
    if isinstance(selection, AssetSelection):
        return repr(str(selection))
    return repr(selection)


def _checks_of(graph: AssetGraph, keys: set[AssetKey]) -> set[AssetCheckKey]:
    return {check.key for key in keys for check in graph.checks_for(key)}
