"""``AssetSelection``: composable choices of assets and checks, as in Dagster 1.13.

``AssetSelection.groups("sales") - AssetSelection.assets("sales/tmp")``, traversals
(``.upstream(depth=2)``), ``roots()``/``sinks()``, check selections, and the string syntax
(``AssetSelection.from_string('group:sales and not tag:pii')``, see ``selection_syntax``).

One class per operator (``selection_operators``), each with its ``resolve`` and its selection
string side by side; the constructors here import them when called. A selection is plain data
until ``resolve`` is given the asset graph (``SelectionGraph``), so it can be declared at module
level before the graph exists. ``resolve`` returns asset keys (external ``AssetSpec`` keys too,
where the selection reaches them, as Dagster does); ``resolve_checks`` returns check keys.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar

from asset2airflow.authoring import selection_args as args
from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.keys import AssetCheckKey, AssetKey, CoercibleToAssetKey
from asset2airflow.authoring.selection_graph import (
    SelectionGraph,
)
from asset2airflow.authoring.specs import AssetSpec
from asset2airflow.errors import SelectionError


class AssetSelection(ABC):
    """Combine with ``|`` (union), ``&`` (intersection) and ``-`` (difference).

    Selecting an asset selects the checks that target it; ``all_asset_checks()``,
    ``checks_for_assets(...)`` and ``checks(...)`` select checks on their own, so
    ``AssetSelection.groups("sales") - AssetSelection.all_asset_checks()`` runs the group's
    assets without their checks.
    """

    simple_operand: ClassVar[bool] = False
    """Whether the selection string needs no parentheses as the operand of a traversal or of
    ``not`` (which bind tighter than everything)."""

    # --- leaves ------------------------------------------------------------------------------

    @staticmethod
    def all(include_sources: bool = False) -> AssetSelection:
        """Every asset that is materialized here; with ``include_sources`` the external assets
        (``AssetSpec`` in ``Definitions``) too."""
        from asset2airflow.authoring import selection_operators as ops

        return ops.AllSelection(args.flag(include_sources, "all", "include_sources"))

    @staticmethod
    def all_asset_checks() -> AssetSelection:
        """Every asset check (and no assets)."""
        from asset2airflow.authoring import selection_operators as ops

        return ops.AllAssetCheckSelection()

    @staticmethod
    def assets(*assets_defs: Any) -> AssetSelection:
        """Assets by key (``"sales/raw"``, ``AssetKey``, ``["sales", "raw"]``), by definition
        (all keys of an ``@asset``/``@multi_asset``) or by ``AssetSpec``, and their checks.

        A string containing ``/`` is a key path (``"sales/raw"`` is ``AssetKey(["sales",
        "raw"])``): key parts cannot contain ``/`` here, so the reading is unambiguous.
        """
        from asset2airflow.authoring import selection_operators as ops

        return ops.KeysAssetSelection(args.keys_of(assets_defs, "AssetSelection.assets"))

    @staticmethod
    def keys(*asset_keys: CoercibleToAssetKey) -> AssetSelection:
        """Dagster's older spelling of ``assets``."""
        from asset2airflow.authoring import selection_operators as ops

        return ops.KeysAssetSelection(args.keys_of(asset_keys, "AssetSelection.keys"))

    @staticmethod
    def key_prefixes(*key_prefixes: Any, include_sources: bool = False) -> AssetSelection:
        """Assets whose key starts with one of the prefixes: ``key_prefixes("sales")`` matches
        ``sales/raw`` but not ``sales_raw``; ``key_prefixes(["a", "b"])`` and ``"a/b"`` match
        keys starting with ``a/b``."""
        from asset2airflow.authoring import selection_operators as ops

        prefixes = tuple(args.prefix_of(p) for p in key_prefixes)
        flag = args.flag(include_sources, "key_prefixes", "include_sources")
        return ops.KeyPrefixesAssetSelection(flag, prefixes)

    @staticmethod
    def key_substring(key_substring: str, include_sources: bool = False) -> AssetSelection:
        """Assets whose ``"a/b/c"`` key string contains ``key_substring``."""
        from asset2airflow.authoring import selection_operators as ops

        substring = args.text(key_substring, "key_substring", "key_substring")
        flag = args.flag(include_sources, "key_substring", "include_sources")
        return ops.KeySubstringAssetSelection(flag, substring)

    @staticmethod
    def groups(*group_strs: str, include_sources: bool = False) -> AssetSelection:
        """Assets in any of the groups (assets without ``group_name`` are in ``"default"``)."""
        from asset2airflow.authoring import selection_operators as ops

        names = tuple(sorted({args.text(g, "groups", "group name") for g in group_strs}))
        return ops.GroupsAssetSelection(
            args.flag(include_sources, "groups", "include_sources"), names
        )

    @staticmethod
    def tag(key: str, value: str, include_sources: bool = False) -> AssetSelection:
        """Assets whose tag ``key`` equals ``value``; ``value=""`` selects assets carrying ``key``
        as a label (a tag with an empty value), as in Dagster."""
        from asset2airflow.authoring import selection_operators as ops

        return ops.TagAssetSelection(
            args.flag(include_sources, "tag", "include_sources"),
            args.text(key, "tag", "key"),
            args.text(value, "tag", "value"),
        )

    @staticmethod
    def tag_string(string: str, include_sources: bool = False) -> AssetSelection:
        """``"key=value"`` or ``"key"`` (a label) as ``tag(key, value)``."""
        parts = args.text(string, "tag_string", "string").split("=")
        if len(parts) > 2:
            raise SelectionError(
                f"AssetSelection.tag_string({string!r}): write 'key=value' or 'key', with at most "
                "one '='."
            )
        return AssetSelection.tag(parts[0], parts[1] if len(parts) == 2 else "", include_sources)

    @staticmethod
    def kind(kind: str | None, include_sources: bool = False) -> AssetSelection:
        """Assets declaring ``kind`` in ``kinds=``; ``None`` selects assets without kinds."""
        from asset2airflow.authoring import selection_operators as ops

        value = None if kind is None else args.text(kind, "kind", "kind")
        return ops.KindAssetSelection(args.flag(include_sources, "kind", "include_sources"), value)

    @staticmethod
    def owner(owner: str) -> AssetSelection:
        """Assets listing ``owner`` in ``owners=`` (external assets included, as in Dagster)."""
        from asset2airflow.authoring import selection_operators as ops

        return ops.OwnerAssetSelection(True, args.text(owner, "owner", "owner"))

    @staticmethod
    def checks_for_assets(*assets_defs: Any) -> AssetSelection:
        """The checks targeting the given assets, without the assets themselves."""
        from asset2airflow.authoring import selection_operators as ops

        keys = args.keys_of(assets_defs, "AssetSelection.checks_for_assets")
        return ops.ChecksForAssetsSelection(keys)

    @staticmethod
    def checks(*assets_defs_or_check_keys: Any) -> AssetSelection:
        """Particular checks: ``AssetCheckKey``s, ``@asset_check`` definitions, or the checks
        declared by an ``@asset(check_specs=...)``."""
        from asset2airflow.authoring import selection_operators as ops

        return ops.AssetCheckKeysSelection(args.check_keys_of(assets_defs_or_check_keys))

    @classmethod
    def from_string(cls, string: str, include_sources: bool = False) -> AssetSelection:
        """Dagster's selection syntax: ``key:sales/*``, ``group:raw``, ``tag:tier=gold``,
        ``kind:dbt``, ``owner:"team:data"``, ``+x``/``x+``/``2+x+1`` traversals, ``and``/``or``/
        ``not``, parentheses, ``sinks(...)``/``roots(...)`` and ``*``. A string that is only an
        asset key, optionally in the older ``*key+`` form, selects that asset (and its
        ancestors/descendants). A malformed string raises ``SelectionError`` naming the column.
        """
        from asset2airflow.authoring.selection_syntax import parse_selection

        return parse_selection(string, include_sources=include_sources)

    @classmethod
    def from_coercible(cls, selection: Any) -> AssetSelection:
        """A selection from what ``define_asset_job``/``materialize`` accept: an
        ``AssetSelection``, a selection string, or an iterable of strings (each parsed, then
        united), keys and definitions."""
        if isinstance(selection, AssetSelection):
            return selection
        if isinstance(selection, str):
            return cls.from_string(selection)
        if isinstance(selection, (AssetKey, AssetsDefinition, AssetSpec)):
            return cls.assets(selection)
        if not isinstance(selection, Iterable):
            raise SelectionError(
                f"cannot select {selection!r}: pass an AssetSelection, a selection string "
                "('group:sales', 'sales/raw'), or a list of asset keys, key strings and asset "
                "definitions."
            )
        items = list(selection)
        if not items:
            raise SelectionError(
                "an empty list selects nothing; leave the selection out (None) to select every "
                "asset, or name some assets."
            )
        parts: list[AssetSelection] = []
        plain: list[Any] = []  # keys, definitions and key strings: one keys selection
        for item in items:
            if isinstance(item, AssetSelection):
                parts.append(item)
            elif isinstance(item, str) and args.uses_syntax(item):
                parts.append(cls.from_string(item))
            else:
                plain.append(item)
        if plain or not parts:
            parts.insert(0, cls.assets(*plain))
        result = parts[0]
        for part in parts[1:]:
            result = result | part
        return result

    # --- derived selections ------------------------------------------------------------------

    def upstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        """This selection and its ancestors (``depth=1``: parents only; ``None``: all), keeping
        materializable assets only, as Dagster does. ``include_self=False`` drops the assets of
        this selection from the result."""
        from asset2airflow.authoring import selection_operators as ops

        return ops.UpstreamAssetSelection(
            self,
            args.depth(depth, "upstream"),
            args.flag(include_self, "upstream", "include_self"),
        )

    def downstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        """This selection and its descendants (``depth=1``: children only; ``None``: all).
        ``include_self=False`` drops the assets of this selection from the result."""
        from asset2airflow.authoring import selection_operators as ops

        return ops.DownstreamAssetSelection(
            self,
            args.depth(depth, "downstream"),
            args.flag(include_self, "downstream", "include_self"),
        )

    def roots(self) -> AssetSelection:
        """The assets of this selection with no ancestor in this selection (an ancestor outside
        it does not count)."""
        from asset2airflow.authoring import selection_operators as ops

        return ops.RootsAssetSelection(self)

    def sources(self) -> AssetSelection:
        """Dagster's older name of ``roots``."""
        return self.roots()

    def sinks(self) -> AssetSelection:
        """The assets of this selection with no descendant in this selection."""
        from asset2airflow.authoring import selection_operators as ops

        return ops.SinksAssetSelection(self)

    def required_multi_asset_neighbors(self) -> AssetSelection:
        """Adds the other assets of every ``@multi_asset`` (without ``can_subset=True``) that
        this selection selects part of: such a definition only runs whole."""
        from asset2airflow.authoring import selection_operators as ops

        return ops.RequiredNeighborsAssetSelection(self)

    def materializable(self) -> AssetSelection:
        """This selection without external assets."""
        from asset2airflow.authoring import selection_operators as ops

        return ops.MaterializableAssetSelection(self)

    def upstream_source_assets(self) -> AssetSelection:
        """The external assets (``AssetSpec``) this selection depends on, transitively."""
        from asset2airflow.authoring import selection_operators as ops

        return ops.ParentSourcesAssetSelection(self)

    def without_checks(self) -> AssetSelection:
        """This selection without any asset check."""
        return self - AssetSelection.all_asset_checks()

    def __or__(self, other: AssetSelection) -> AssetSelection:
        if not isinstance(other, AssetSelection):
            return NotImplemented
        from asset2airflow.authoring import selection_operators as ops

        return ops.OrAssetSelection(self, other)

    def __and__(self, other: AssetSelection) -> AssetSelection:
        if not isinstance(other, AssetSelection):
            return NotImplemented
        from asset2airflow.authoring import selection_operators as ops

        return ops.AndAssetSelection(self, other)

    def __sub__(self, other: AssetSelection) -> AssetSelection:
        if not isinstance(other, AssetSelection):
            return NotImplemented
        from asset2airflow.authoring import selection_operators as ops

        return ops.SubtractAssetSelection(self, other)

    # --- what each operator says -------------------------------------------------------------

    @abstractmethod
    def resolve(self, graph: SelectionGraph) -> set[AssetKey]:
        """The selected asset keys of ``graph``. Naming an undefined asset is an error."""

    def resolve_checks(self, graph: SelectionGraph) -> set[AssetCheckKey]:
        """The selected check keys of ``graph``: the checks of the selected assets, plus or minus
        the checks picked by ``all_asset_checks``/``checks_for_assets``/``checks``."""
        return {c.key for key in self.resolve(graph) for c in graph.checks_for(key)}

    @property
    def selects_checks_by_themselves(self) -> bool:
        """Whether this selection (or a part of it) picks checks apart from its assets."""
        return False

    @abstractmethod
    def to_selection_str(self) -> str:
        """The selection in Dagster's string syntax where it has one (``from_string`` reads it
        back); otherwise a Python expression."""

    def __str__(self) -> str:
        return self.to_selection_str()

    def needs_parentheses(self) -> bool:
        """Whether the selection string needs parentheses as an operand of ``and``/``or``."""
        return False

    def as_boolean_operand(self) -> str:
        text = self.to_selection_str()
        return f"({text})" if self.needs_parentheses() else text

    def as_operand(self) -> str:
        """As the operand of a traversal or of ``not``, which bind tighter than everything."""
        text = self.to_selection_str()
        return text if self.simple_operand and not self.needs_parentheses() else f"({text})"


def coerce_selection(selection: Any) -> AssetSelection:
    """``None`` (everything) or anything ``AssetSelection.from_coercible`` accepts."""
    if selection is None:
        return AssetSelection.all()
    return AssetSelection.from_coercible(selection)
