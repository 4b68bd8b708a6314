"""``AssetSelection``: composable choices of assets (``AssetSelection.groups("sales") - ...``).

A selection is plain data until ``resolve`` is given the asset graph, so it can be declared at
module level before the graph exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asset2airflow.definitions.keys import AssetKey, CoercibleToAssetKey
from asset2airflow.errors import SelectionError

if TYPE_CHECKING:
    from asset2airflow.graph.asset_graph import AssetGraph


@dataclass(frozen=True)
class AssetSelection:
    """Combine with ``|`` (union), ``&`` (intersection) and ``-`` (difference)."""

    op: str
    args: tuple[Any, ...] = ()

    @staticmethod
    def all() -> AssetSelection:
        return AssetSelection("all")

    @staticmethod
    def assets(*keys: CoercibleToAssetKey | Any) -> AssetSelection:
        """Assets by key (``"sales/raw"``, ``AssetKey``) or by definition."""
        resolved: list[AssetKey] = []
        for key in keys:
            own_keys = getattr(key, "keys", None)
            if own_keys is not None and not isinstance(key, (str, list, tuple)):
                resolved.extend(own_keys)
            else:
                resolved.append(AssetKey.from_coercible(key))
        return AssetSelection("keys", tuple(sorted(resolved)))

    @staticmethod
    def keys(*keys: CoercibleToAssetKey) -> AssetSelection:
        return AssetSelection.assets(*keys)

    @staticmethod
    def groups(*group_names: str) -> AssetSelection:
        return AssetSelection("groups", tuple(sorted(group_names)))

    def upstream(self) -> AssetSelection:
        return AssetSelection("upstream", (self,))

    def downstream(self) -> AssetSelection:
        return AssetSelection("downstream", (self,))

    def __or__(self, other: AssetSelection) -> AssetSelection:
        return AssetSelection("or", (self, other))

    def __and__(self, other: AssetSelection) -> AssetSelection:
        return AssetSelection("and", (self, other))

    def __sub__(self, other: AssetSelection) -> AssetSelection:
        return AssetSelection("sub", (self, other))

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        """The selected keys of ``graph`` (an ``AssetGraph``); unknown keys are an error."""
        if self.op == "all":
            return set(graph.materializable_keys)
        if self.op == "keys":
            unknown = [k.to_user_string() for k in self.args if not graph.has(k)]
            if unknown:
                raise SelectionError(
                    f"selection names assets {unknown}, which are not defined; defined assets: "
                    f"{[k.to_user_string() for k in graph.all_keys][:20]}"
                )
            return set(self.args)
        if self.op == "groups":
            groups = set(self.args)
            return {k for k in graph.materializable_keys if graph.spec(k).group_name in groups}
        if self.op == "upstream":
            return set(graph.upstream_closure(sorted(self.args[0].resolve(graph))))
        if self.op == "downstream":
            return set(graph.downstream_closure(sorted(self.args[0].resolve(graph))))
        left: set[AssetKey] = self.args[0].resolve(graph)
        right: set[AssetKey] = self.args[1].resolve(graph)
        if self.op == "or":
            return left | right
        return left & right if self.op == "and" else left - right


def coerce_selection(selection: str | Iterable[Any] | AssetSelection) -> AssetSelection:
    """Key strings or definitions as an ``AssetSelection`` (``"*"`` selects everything)."""
    if isinstance(selection, AssetSelection):
        return selection
    if selection == "*":
        return AssetSelection.all()
    if isinstance(selection, str):
        return AssetSelection.assets(selection)
    return AssetSelection.assets(*selection)
