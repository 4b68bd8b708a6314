"""The operators of ``AssetSelection``, one class each, with its ``resolve`` and its selection
string side by side (as Dagster's ``asset_selection.py``): leaves (keys, key patterns, groups,
tags, kinds, owners, checks), operators on one selection (upstream, downstream, roots, sinks...)
and on two (or, and, minus). Users build them through ``AssetSelection``'s constructors and
operators, which import this module when called (the classes subclass ``AssetSelection``).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from asset2airflow.authoring.keys import AssetCheckKey, AssetKey
from asset2airflow.authoring.selection import AssetSelection
from asset2airflow.authoring.selection_graph import (
    SelectionGraph,
    check_defined,
    is_external,
    match_key_pattern,
    within,
)
from asset2airflow.authoring.specs import DEFAULT_GROUP
from asset2airflow.errors import SelectionError

# --- leaves ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllSelection(AssetSelection):
    include_sources: bool = False

    def resolve(self, graph: SelectionGraph) -> set[AssetKey]:
        return set(graph.all_keys if self.include_sources else graph.materializable_keys)

    def to_selection_str(self) -> str:
        return "*"


@dataclass(frozen=True)
class KeysAssetSelection(AssetSelection):
    selected_keys: tuple[AssetKey, ...]
    simple_operand: ClassVar[bool] = True

    def resolve(self, graph: SelectionGraph) -> set[AssetKey]:
        check_defined(graph, self.selected_keys, "selection")
        return set(self.selected_keys)

    def to_selection_str(self) -> str:
        if not self.selected_keys:
            return "AssetSelection.assets()"
        return " or ".join(f'key:"{k.to_user_string()}"' for k in self.selected_keys)

    def needs_parentheses(self) -> bool:
        return len(self.selected_keys) > 1


@dataclass(frozen=True)
class KeyPatternAssetSelection(AssetSelection):
    """``key:`` of the string syntax, ``*`` matching any characters."""

    pattern: str
    simple_operand: ClassVar[bool] = True

    def resolve(self, graph: SelectionGraph) -> set[AssetKey]:
        return match_key_pattern(graph, self.pattern)

    def to_selection_str(self) -> str:
        return f'key:"{self.pattern}"'


@dataclass(frozen=True)
class AttributeAssetSelection(AssetSelection):
    """Assets whose key or spec matches; external ones too with ``include_sources``."""

    include_sources: bool

    def resolve(self, graph: SelectionGraph) -> set[AssetKey]:
        base = graph.all_keys if self.include_sources else graph.materializable_keys
        return {k for k in base if self.matches(graph, k)}

    @abstractmethod
    def matches(self, graph: SelectionGraph, key: AssetKey) -> bool: ...


@dataclass(frozen=True)
class KeyPrefixesAssetSelection(AttributeAssetSelection):
    prefixes: tuple[tuple[str, ...], ...]

    def matches(self, graph: SelectionGraph, key: AssetKey) -> bool:
        return any(key.path[: len(p)] == p for p in self.prefixes)

    def to_selection_str(self) -> str:
        prefixes = ", ".join(repr("/".join(p)) for p in self.prefixes)
        return f"AssetSelection.key_prefixes({prefixes})"


@dataclass(frozen=True)
class KeySubstringAssetSelection(AttributeAssetSelection):
    substring: str

    def matches(self, graph: SelectionGraph, key: AssetKey) -> bool:
        return self.substring in key.to_user_string()

    def to_selection_str(self) -> str:
        return f"AssetSelection.key_substring({self.substring!r})"


@dataclass(frozen=True)
class GroupsAssetSelection(AttributeAssetSelection):
    names: tuple[str, ...]
    simple_operand: ClassVar[bool] = True

    def matches(self, graph: SelectionGraph, key: AssetKey) -> bool:
        return (graph.spec(key).group_name or DEFAULT_GROUP) in self.names

    def to_selection_str(self) -> str:
        if not self.names:
            return "AssetSelection.groups()"
        return " or ".join(f'group:"{g}"' for g in self.names)

    def needs_parentheses(self) -> bool:
        return len(self.names) > 1


@dataclass(frozen=True)
class TagAssetSelection(AttributeAssetSelection):
    key: str
    value: str
    simple_operand: ClassVar[bool] = True

    def matches(self, graph: SelectionGraph, key: AssetKey) -> bool:
        return graph.spec(key).tags.get(self.key) == self.value

    def to_selection_str(self) -> str:
        return f'tag:"{self.key}"="{self.value}"' if self.value else f'tag:"{self.key}"'


@dataclass(frozen=True)
class KindAssetSelection(AttributeAssetSelection):
    kind_str: str | None
    simple_operand: ClassVar[bool] = True

    def matches(self, graph: SelectionGraph, key: AssetKey) -> bool:
        kinds = graph.spec(key).kinds
        return not kinds if self.kind_str is None else self.kind_str in kinds

    def to_selection_str(self) -> str:
        return "kind:<null>" if self.kind_str is None else f'kind:"{self.kind_str}"'


@dataclass(frozen=True)
class OwnerAssetSelection(AttributeAssetSelection):
    """Always over every key, external ones included, as in Dagster."""

    owner_str: str
    simple_operand: ClassVar[bool] = True

    def matches(self, graph: SelectionGraph, key: AssetKey) -> bool:
        return self.owner_str in graph.spec(key).owners

    def to_selection_str(self) -> str:
        return f'owner:"{self.owner_str}"'


# --- checks ----------------------------------------------------------------------------------


class ChecksOnlySelection(AssetSelection):
    """Picks checks by themselves, and no assets."""

    def resolve(self, graph: SelectionGraph) -> set[AssetKey]:
        return set()

    @property
    def selects_checks_by_themselves(self) -> bool:
        return True


@dataclass(frozen=True)
class AllAssetCheckSelection(ChecksOnlySelection):
    def resolve_checks(self, graph: SelectionGraph) -> set[AssetCheckKey]:
        return set(graph.checks)

    def to_selection_str(self) -> str:
        return "AssetSelection.all_asset_checks()"


@dataclass(frozen=True)
class ChecksForAssetsSelection(ChecksOnlySelection):
    asset_keys: tuple[AssetKey, ...]

    def resolve(self, graph: SelectionGraph) -> set[AssetKey]:
        check_defined(graph, self.asset_keys, "AssetSelection.checks_for_assets")
        return set()

    def resolve_checks(self, graph: SelectionGraph) -> set[AssetCheckKey]:
        check_defined(graph, self.asset_keys, "AssetSelection.checks_for_assets")
        return {c.key for key in self.asset_keys for c in graph.checks_for(key)}

    def to_selection_str(self) -> str:
        keys = ", ".join(repr(k.to_user_string()) for k in self.asset_keys)
        return f"AssetSelection.checks_for_assets({keys})"


@dataclass(frozen=True)
class AssetCheckKeysSelection(ChecksOnlySelection):
    check_keys: tuple[AssetCheckKey, ...]

    def resolve_checks(self, graph: SelectionGraph) -> set[AssetCheckKey]:
        unknown = [c.to_user_string() for c in self.check_keys if c not in graph.checks]
        if unknown:
            known = ", ".join(c.to_user_string() for c in sorted(graph.checks)[:20])
            raise SelectionError(
                f"selection names checks {unknown}, which are not defined; defined checks: "
                f"{known or '(none)'}"
            )
        return set(self.check_keys)

    def to_selection_str(self) -> str:
        return f"AssetSelection.checks({', '.join(c.to_user_string() for c in self.check_keys)})"


# --- operators on one selection ------------------------------------------------------------


@dataclass(frozen=True)
class ChainedAssetSelection(AssetSelection):
    """Picks from what ``child`` selects."""

    child: AssetSelection

    def resolve(self, graph: SelectionGraph) -> set[AssetKey]:
        return self.pick(graph, self.child.resolve(graph))

    @abstractmethod
    def pick(self, graph: SelectionGraph, selected: set[AssetKey]) -> set[AssetKey]: ...

    @property
    def selects_checks_by_themselves(self) -> bool:
        return self.child.selects_checks_by_themselves

    def method_call(self, method: str) -> str:
        return f"({self.child.to_selection_str()}).{method}()"


@dataclass(frozen=True)
class TraversalAssetSelection(ChainedAssetSelection):
    depth: int | None
    include_self: bool

    @abstractmethod
    def edges(self, graph: SelectionGraph) -> Mapping[AssetKey, Sequence[AssetKey]]: ...

    def steps(self, graph: SelectionGraph, selected: set[AssetKey]) -> set[AssetKey]:
        result = selected | within(selected, self.edges(graph), self.depth)
        return result if self.include_self else result - selected

    def needs_parentheses(self) -> bool:
        return self.include_self is False

    def traversal_str(self, text: str) -> str:
        if self.depth == 0:
            text = self.child.to_selection_str()
        return text if self.include_self else f"{text} and not {self.child.as_operand()}"

    def depth_str(self) -> str:
        return "" if self.depth is None else str(self.depth)


@dataclass(frozen=True)
class UpstreamAssetSelection(TraversalAssetSelection):
    """Materializable ancestors only, as in Dagster."""

    def edges(self, graph: SelectionGraph) -> Mapping[AssetKey, Sequence[AssetKey]]:
        return graph.upstream

    def pick(self, graph: SelectionGraph, selected: set[AssetKey]) -> set[AssetKey]:
        return {k for k in self.steps(graph, selected) if not is_external(graph, k)}

    def to_selection_str(self) -> str:
        return self.traversal_str(f"{self.depth_str()}+{self.child.as_operand()}")


@dataclass(frozen=True)
class DownstreamAssetSelection(TraversalAssetSelection):
    def edges(self, graph: SelectionGraph) -> Mapping[AssetKey, Sequence[AssetKey]]:
        return graph.downstream

    def pick(self, graph: SelectionGraph, selected: set[AssetKey]) -> set[AssetKey]:
        return self.steps(graph, selected)

    def to_selection_str(self) -> str:
        return self.traversal_str(f"{self.child.as_operand()}+{self.depth_str()}")


@dataclass(frozen=True)
class RootsAssetSelection(ChainedAssetSelection):
    simple_operand: ClassVar[bool] = True

    def pick(self, graph: SelectionGraph, selected: set[AssetKey]) -> set[AssetKey]:
        return selected - within(selected, graph.downstream, None)

    def to_selection_str(self) -> str:
        return f"roots({self.child.to_selection_str()})"


@dataclass(frozen=True)
class SinksAssetSelection(ChainedAssetSelection):
    simple_operand: ClassVar[bool] = True

    def pick(self, graph: SelectionGraph, selected: set[AssetKey]) -> set[AssetKey]:
        return selected - within(selected, graph.upstream, None)

    def to_selection_str(self) -> str:
        return f"sinks({self.child.to_selection_str()})"


@dataclass(frozen=True)
class RequiredNeighborsAssetSelection(ChainedAssetSelection):
    def pick(self, graph: SelectionGraph, selected: set[AssetKey]) -> set[AssetKey]:
        result = set(selected)
        for key in selected:
            assets_def = graph.get(key)
            if not assets_def.can_subset:
                result.update(assets_def.keys)
        return result

    def to_selection_str(self) -> str:
        return self.method_call("required_multi_asset_neighbors")


@dataclass(frozen=True)
class MaterializableAssetSelection(ChainedAssetSelection):
    def pick(self, graph: SelectionGraph, selected: set[AssetKey]) -> set[AssetKey]:
        return {k for k in selected if not is_external(graph, k)}

    def to_selection_str(self) -> str:
        return self.method_call("materializable")


@dataclass(frozen=True)
class ParentSourcesAssetSelection(ChainedAssetSelection):
    def pick(self, graph: SelectionGraph, selected: set[AssetKey]) -> set[AssetKey]:
        every = selected | within(selected, graph.upstream, None)
        return {k for k in every if is_external(graph, k)}

    def to_selection_str(self) -> str:
        return self.method_call("upstream_source_assets")


# --- operators on two selections -----------------------------------------------------------


@dataclass(frozen=True)
class BinaryAssetSelection(AssetSelection):
    left: AssetSelection
    right: AssetSelection

    def resolve(self, graph: SelectionGraph) -> set[AssetKey]:
        return self.combine(self.left.resolve(graph), self.right.resolve(graph))

    def resolve_checks(self, graph: SelectionGraph) -> set[AssetCheckKey]:
        return self.combine(self.left.resolve_checks(graph), self.right.resolve_checks(graph))

    @abstractmethod
    def combine(self, left: set[Any], right: set[Any]) -> set[Any]: ...

    @property
    def selects_checks_by_themselves(self) -> bool:
        return self.left.selects_checks_by_themselves or self.right.selects_checks_by_themselves

    def needs_parentheses(self) -> bool:
        return True


@dataclass(frozen=True)
class OrAssetSelection(BinaryAssetSelection):
    def combine(self, left: set[Any], right: set[Any]) -> set[Any]:
        return left | right

    def to_selection_str(self) -> str:
        return f"{self.left.as_boolean_operand()} or {self.right.as_boolean_operand()}"


@dataclass(frozen=True)
class AndAssetSelection(BinaryAssetSelection):
    def combine(self, left: set[Any], right: set[Any]) -> set[Any]:
        return left & right

    def to_selection_str(self) -> str:
        return f"{self.left.as_boolean_operand()} and {self.right.as_boolean_operand()}"


@dataclass(frozen=True)
class SubtractAssetSelection(BinaryAssetSelection):
    def combine(self, left: set[Any], right: set[Any]) -> set[Any]:
        return left - right

    def to_selection_str(self) -> str:
        if self.left == AssetSelection.all():
            return f"not {self.right.as_operand()}"
        return f"{self.left.as_boolean_operand()} and not {self.right.as_operand()}"

    def needs_parentheses(self) -> bool:
        return self.left != AssetSelection.all()  # "not x" binds tighter
