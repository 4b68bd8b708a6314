"""``AssetSelection``: composable choices of assets and checks, as in Dagster 1.13.

``AssetSelection.groups("sales") - AssetSelection.assets("sales/tmp")``, traversals
(``.upstream(depth=2)``), ``roots()``/``sinks()``, check selections, and the string syntax
(``AssetSelection.from_string('group:sales and not tag:pii')``, see ``selection_syntax``).

A selection is plain data until ``resolve`` is given the asset graph, so it can be declared at
module level before the graph exists. ``resolve`` returns asset keys (external ``AssetSpec`` keys
too, where the selection reaches them, as Dagster does); ``resolve_checks`` returns check keys.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.keys import AssetCheckKey, AssetKey, CoercibleToAssetKey
from asset2airflow.authoring.specs import DEFAULT_GROUP, AssetSpec
from asset2airflow.errors import SelectionError

if TYPE_CHECKING:
    from asset2airflow.asset_graph.graph import AssetGraph

_CHECK_OPS = frozenset({"all_checks", "checks_for_assets", "checks"})
"""Operations that pick checks by themselves (not just the checks of the selected assets)."""

_BOOLEAN_OPS = frozenset({"or", "and", "sub"})


@dataclass(frozen=True)
class AssetSelection:
    """Combine with ``|`` (union), ``&`` (intersection) and ``-`` (difference).

    Selecting an asset selects the checks that target it; ``all_asset_checks()``,
    ``checks_for_assets(...)`` and ``checks(...)`` select checks on their own, so
    ``AssetSelection.groups("sales") - AssetSelection.all_asset_checks()`` runs the group's
    assets without their checks.
    """

    op: str
    args: tuple[Any, ...] = ()

    # --- leaves ------------------------------------------------------------------------------

    @staticmethod
    def all(include_sources: bool = False) -> AssetSelection:
        """Every asset that is materialized here; with ``include_sources`` the external assets
        (``AssetSpec`` in ``Definitions``) too."""
        return AssetSelection("all", (_flag(include_sources, "all", "include_sources"),))

    @staticmethod
    def all_asset_checks() -> AssetSelection:
        """Every asset check (and no assets)."""
        return AssetSelection("all_checks")

    @staticmethod
    def assets(*assets_defs: Any) -> AssetSelection:
        """Assets by key (``"sales/raw"``, ``AssetKey``, ``["sales", "raw"]``), by definition
        (all keys of an ``@asset``/``@multi_asset``) or by ``AssetSpec``, and their checks.

        A string containing ``/`` is a key path (``"sales/raw"`` is ``AssetKey(["sales",
        "raw"])``): key parts cannot contain ``/`` here, so the reading is unambiguous.
        """
        return AssetSelection("keys", _keys_of(assets_defs, "AssetSelection.assets"))

    @staticmethod
    def keys(*asset_keys: CoercibleToAssetKey) -> AssetSelection:
        """Dagster's older spelling of ``assets``."""
        return AssetSelection("keys", _keys_of(asset_keys, "AssetSelection.keys"))

    @staticmethod
    def key_prefixes(*key_prefixes: Any, include_sources: bool = False) -> AssetSelection:
        """Assets whose key starts with one of the prefixes: ``key_prefixes("sales")`` matches
        ``sales/raw`` but not ``sales_raw``; ``key_prefixes(["a", "b"])`` and ``"a/b"`` match
        keys starting with ``a/b``."""
        prefixes = tuple(_prefix_of(p) for p in key_prefixes)
        flag = _flag(include_sources, "key_prefixes", "include_sources")
        return AssetSelection("key_prefixes", (prefixes, flag))

    @staticmethod
    def key_substring(key_substring: str, include_sources: bool = False) -> AssetSelection:
        """Assets whose ``"a/b/c"`` key string contains ``key_substring``."""
        text = _text(key_substring, "key_substring", "key_substring")
        return AssetSelection(
            "key_substring", (text, _flag(include_sources, "key_substring", "include_sources"))
        )

    @staticmethod
    def groups(*group_strs: str, include_sources: bool = False) -> AssetSelection:
        """Assets in any of the groups (assets without ``group_name`` are in ``"default"``)."""
        names = tuple(sorted({_text(g, "groups", "group name") for g in group_strs}))
        return AssetSelection(
            "groups", (names, _flag(include_sources, "groups", "include_sources"))
        )

    @staticmethod
    def tag(key: str, value: str, include_sources: bool = False) -> AssetSelection:
        """Assets whose tag ``key`` equals ``value``; ``value=""`` selects assets carrying ``key``
        as a label (a tag with an empty value), as in Dagster."""
        return AssetSelection(
            "tag",
            (
                _text(key, "tag", "key"),
                _text(value, "tag", "value"),
                _flag(include_sources, "tag", "include_sources"),
            ),
        )

    @staticmethod
    def tag_string(string: str, include_sources: bool = False) -> AssetSelection:
        """``"key=value"`` or ``"key"`` (a label) as ``tag(key, value)``."""
        parts = _text(string, "tag_string", "string").split("=")
        if len(parts) > 2:
            raise SelectionError(
                f"AssetSelection.tag_string({string!r}): write 'key=value' or 'key', with at most "
                "one '='."
            )
        return AssetSelection.tag(parts[0], parts[1] if len(parts) == 2 else "", include_sources)

    @staticmethod
    def kind(kind: str | None, include_sources: bool = False) -> AssetSelection:
        """Assets declaring ``kind`` in ``kinds=``; ``None`` selects assets without kinds."""
        value = None if kind is None else _text(kind, "kind", "kind")
        return AssetSelection("kind", (value, _flag(include_sources, "kind", "include_sources")))

    @staticmethod
    def owner(owner: str) -> AssetSelection:
        """Assets listing ``owner`` in ``owners=`` (external assets included, as in Dagster)."""
        return AssetSelection("owner", (_text(owner, "owner", "owner"),))

    @staticmethod
    def checks_for_assets(*assets_defs: Any) -> AssetSelection:
        """The checks targeting the given assets, without the assets themselves."""
        return AssetSelection(
            "checks_for_assets", _keys_of(assets_defs, "AssetSelection.checks_for_assets")
        )

    @staticmethod
    def checks(*assets_defs_or_check_keys: Any) -> AssetSelection:
        """Particular checks: ``AssetCheckKey``s, ``@asset_check`` definitions, or the checks
        declared by an ``@asset(check_specs=...)``."""
        found: list[AssetCheckKey] = []
        for item in assets_defs_or_check_keys:
            if isinstance(item, AssetCheckKey):
                found.append(item)
            elif isinstance(getattr(item, "check_keys", None), list):
                found.extend(item.check_keys)
            else:
                raise SelectionError(
                    f"AssetSelection.checks({item!r}): pass AssetCheckKey(...) objects, "
                    "@asset_check definitions, or assets that declare check_specs."
                )
        return AssetSelection("checks", tuple(sorted(set(found))))

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
            elif isinstance(item, str) and _uses_syntax(item):
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
        return AssetSelection(
            "upstream",
            (self, _depth(depth, "upstream"), _flag(include_self, "upstream", "include_self")),
        )

    def downstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        """This selection and its descendants (``depth=1``: children only; ``None``: all).
        ``include_self=False`` drops the assets of this selection from the result."""
        return AssetSelection(
            "downstream",
            (self, _depth(depth, "downstream"), _flag(include_self, "downstream", "include_self")),
        )

    def roots(self) -> AssetSelection:
        """The assets of this selection with no ancestor in this selection (an ancestor outside
        it does not count)."""
        return AssetSelection("roots", (self,))

    def sources(self) -> AssetSelection:
        """Dagster's older name of ``roots``."""
        return self.roots()

    def sinks(self) -> AssetSelection:
        """The assets of this selection with no descendant in this selection."""
        return AssetSelection("sinks", (self,))

    def required_multi_asset_neighbors(self) -> AssetSelection:
        """Adds the other assets of every ``@multi_asset`` (without ``can_subset=True``) that
        this selection selects part of: such a definition only runs whole."""
        return AssetSelection("required_neighbors", (self,))

    def materializable(self) -> AssetSelection:
        """This selection without external assets."""
        return AssetSelection("materializable", (self,))

    def upstream_source_assets(self) -> AssetSelection:
        """The external assets (``AssetSpec``) this selection depends on, transitively."""
        return AssetSelection("upstream_sources", (self,))

    def without_checks(self) -> AssetSelection:
        """This selection without any asset check."""
        return self - AssetSelection.all_asset_checks()

    def __or__(self, other: AssetSelection) -> AssetSelection:
        if not isinstance(other, AssetSelection):
            return NotImplemented
        return AssetSelection("or", (self, other))

    def __and__(self, other: AssetSelection) -> AssetSelection:
        if not isinstance(other, AssetSelection):
            return NotImplemented
        return AssetSelection("and", (self, other))

    def __sub__(self, other: AssetSelection) -> AssetSelection:
        if not isinstance(other, AssetSelection):
            return NotImplemented
        return AssetSelection("sub", (self, other))

    # --- resolution --------------------------------------------------------------------------

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        """The selected asset keys of ``graph``. Naming an undefined asset is an error."""
        op, args = self.op, self.args
        if op in _BOOLEAN_OPS:
            left: set[AssetKey] = args[0].resolve(graph)
            right: set[AssetKey] = args[1].resolve(graph)
            if op == "or":
                return left | right
            return left & right if op == "and" else left - right
        if op in _CHECK_OPS:
            if op == "checks_for_assets":
                _check_defined(graph, args, "AssetSelection.checks_for_assets")
            return set()
        if op == "all":
            return set(graph.all_keys if args[0] else graph.materializable_keys)
        if op == "keys":
            _check_defined(graph, args, "selection")
            return set(args)
        if op == "key_pattern":
            return _match_key_pattern(graph, args[0])
        if op in _FILTERS:
            include_sources = op == "owner" or args[-1]  # owner: all keys, as in Dagster
            base = graph.all_keys if include_sources else graph.materializable_keys
            return {k for k in base if _FILTERS[op](graph, k, args)}
        if op in _CHAINED:
            return _CHAINED[op](graph, args[0].resolve(graph), args[1:])
        raise SelectionError(f"unknown selection operation {op!r} in {self!r}")

    def resolve_checks(self, graph: AssetGraph) -> set[AssetCheckKey]:
        """The selected check keys of ``graph``: the checks of the selected assets, plus or minus
        the checks picked by ``all_asset_checks``/``checks_for_assets``/``checks``."""
        op, args = self.op, self.args
        if op in _BOOLEAN_OPS:
            left: set[AssetCheckKey] = args[0].resolve_checks(graph)
            right: set[AssetCheckKey] = args[1].resolve_checks(graph)
            if op == "or":
                return left | right
            return left & right if op == "and" else left - right
        if op == "all_checks":
            return set(graph.checks)
        if op == "checks_for_assets":
            _check_defined(graph, args, "AssetSelection.checks_for_assets")
            return {c.key for key in args for c in graph.checks_for(key)}
        if op == "checks":
            unknown = [c.to_user_string() for c in args if c not in graph.checks]
            if unknown:
                known = ", ".join(c.to_user_string() for c in sorted(graph.checks)[:20])
                raise SelectionError(
                    f"selection names checks {unknown}, which are not defined; defined checks: "
                    f"{known or '(none)'}"
                )
            return set(args)
        return {c.key for key in self.resolve(graph) for c in graph.checks_for(key)}

    @property
    def selects_checks_by_themselves(self) -> bool:
        """Whether this selection (or a part of it) picks checks apart from its assets."""
        if self.op in _CHECK_OPS:
            return True
        return any(
            isinstance(a, AssetSelection) and a.selects_checks_by_themselves for a in self.args
        )

    # --- display -----------------------------------------------------------------------------

    def to_selection_str(self) -> str:
        """The selection in Dagster's string syntax where it has one (``from_string`` reads it
        back); otherwise a Python expression."""
        op, args = self.op, self.args
        if op == "all":
            return "*"
        if op == "keys":
            if not args:
                return "AssetSelection.assets()"
            return " or ".join(f'key:"{k.to_user_string()}"' for k in args)
        if op == "key_pattern":
            return f'key:"{args[0]}"'
        if op == "groups":
            if not args[0]:
                return "AssetSelection.groups()"
            return " or ".join(f'group:"{g}"' for g in args[0])
        if op == "tag":
            return f'tag:"{args[0]}"="{args[1]}"' if args[1] else f'tag:"{args[0]}"'
        if op == "kind":
            return "kind:<null>" if args[0] is None else f'kind:"{args[0]}"'
        if op == "owner":
            return f'owner:"{args[0]}"'
        if op in ("upstream", "downstream"):
            child, depth, include_self = args
            inner = child._as_operand()
            if depth == 0:
                text = child.to_selection_str()
            elif op == "upstream":
                text = f"{'' if depth is None else depth}+{inner}"
            else:
                text = f"{inner}+{'' if depth is None else depth}"
            return text if include_self else f"{text} and not {inner}"
        if op in ("sinks", "roots"):
            return f"{op}({args[0].to_selection_str()})"
        if op == "or":
            return f"{args[0]._as_boolean_operand()} or {args[1]._as_boolean_operand()}"
        if op == "and":
            return f"{args[0]._as_boolean_operand()} and {args[1]._as_boolean_operand()}"
        if op == "sub":
            right = args[1]._as_operand()
            if args[0] == AssetSelection.all():
                return f"not {right}"
            return f"{args[0]._as_boolean_operand()} and not {right}"
        return self._python_expression()

    def __str__(self) -> str:
        return self.to_selection_str()

    def _needs_parentheses(self) -> bool:
        if self.op == "sub":
            return bool(self.args[0] != AssetSelection.all())  # "not x" binds tighter
        if self.op in _BOOLEAN_OPS:
            return True
        if self.op == "keys" or self.op == "groups":
            return len(self.args if self.op == "keys" else self.args[0]) > 1
        if self.op in ("upstream", "downstream"):
            return self.args[2] is False
        return False

    def _as_boolean_operand(self) -> str:
        text = self.to_selection_str()
        return f"({text})" if self._needs_parentheses() else text

    def _as_operand(self) -> str:
        """As the operand of a traversal or of ``not``, which bind tighter than everything."""
        text = self.to_selection_str()
        simple = self.op in ("keys", "key_pattern", "groups", "tag", "kind", "owner")
        simple = simple or self.op in ("sinks", "roots")
        return text if simple and not self._needs_parentheses() else f"({text})"

    def _python_expression(self) -> str:
        op, args = self.op, self.args
        if op == "key_prefixes":
            prefixes = ", ".join(repr("/".join(p)) for p in args[0])
            return f"AssetSelection.key_prefixes({prefixes})"
        if op == "key_substring":
            return f"AssetSelection.key_substring({args[0]!r})"
        if op == "all_checks":
            return "AssetSelection.all_asset_checks()"
        if op == "checks_for_assets":
            keys = ", ".join(repr(k.to_user_string()) for k in args)
            return f"AssetSelection.checks_for_assets({keys})"
        if op == "checks":
            return f"AssetSelection.checks({', '.join(c.to_user_string() for c in args)})"
        method = {
            "required_neighbors": "required_multi_asset_neighbors",
            "materializable": "materializable",
            "upstream_sources": "upstream_source_assets",
        }.get(op, op)
        if args and isinstance(args[0], AssetSelection):
            return f"({args[0].to_selection_str()}).{method}()"
        return f"AssetSelection({op!r}, {args!r})"


def coerce_selection(selection: Any) -> AssetSelection:
    """``None`` (everything) or anything ``AssetSelection.from_coercible`` accepts."""
    if selection is None:
        return AssetSelection.all()
    return AssetSelection.from_coercible(selection)


def unknown_keys_message(graph: AssetGraph, names: Sequence[str], what: str) -> str:
    """``what names assets [...], which are not defined`` with close matches and defined keys."""
    defined = [k.to_user_string() for k in graph.all_keys]
    hints = []
    for name in names:
        close = difflib.get_close_matches(name, defined, n=3, cutoff=0.6)
        if close:
            hints.append(f"{name!r}: did you mean {' or '.join(repr(c) for c in close)}?")
    more = f" ({len(defined)} in all)" if len(defined) > 20 else ""
    return (
        f"{what} names asset{'s' if len(names) != 1 else ''} {names}, which "
        f"{'are' if len(names) != 1 else 'is'} not defined"
        + (f"; {' '.join(hints)}" if hints else "")
        + f"; defined assets{more}: {defined[:20]}"
    )


# --- resolution helpers --------------------------------------------------------------------


def _check_defined(graph: AssetGraph, keys: Iterable[AssetKey], what: str) -> None:
    unknown = [k.to_user_string() for k in keys if not graph.has(k)]
    if unknown:
        raise SelectionError(unknown_keys_message(graph, unknown, what))


def _match_key_pattern(graph: AssetGraph, pattern: str) -> set[AssetKey]:
    """``key:`` of the string syntax: the whole ``a/b/c`` key string, ``*`` matching anything
    (``/`` included). Without ``*`` it names one asset, which must exist."""
    regex = re.compile(
        "".join(".*" if part == "*" else re.escape(part) for part in _stars(pattern))
    )
    matched = {k for k in graph.all_keys if regex.fullmatch(k.to_user_string())}
    if not matched and "*" not in pattern:
        raise SelectionError(unknown_keys_message(graph, [pattern], f'key:"{pattern}"'))
    return matched


def _stars(pattern: str) -> list[str]:
    return [p for p in re.split(r"(\*)", pattern) if p]


def _within(
    start: set[AssetKey], edges: Mapping[AssetKey, Sequence[AssetKey]], depth: int | None
) -> set[AssetKey]:
    """The keys 1 to ``depth`` steps from ``start`` along ``edges`` (``None``: any number)."""
    found: set[AssetKey] = set()
    frontier = set(start)
    steps = 0
    while frontier and (depth is None or steps < depth):
        following: set[AssetKey] = set()
        for key in frontier:
            for other in edges.get(key, ()):
                if other not in found:
                    found.add(other)
                    following.add(other)
        frontier = following
        steps += 1
    return found


def _external(graph: AssetGraph, key: AssetKey) -> bool:
    return graph.get(key).is_external


def _upstream(graph: AssetGraph, selected: set[AssetKey], rest: tuple[Any, ...]) -> set[AssetKey]:
    depth, include_self = rest
    result = selected | _within(selected, graph.upstream, depth)
    if not include_self:
        result -= selected
    return {k for k in result if not _external(graph, k)}


def _downstream(graph: AssetGraph, selected: set[AssetKey], rest: tuple[Any, ...]) -> set[AssetKey]:
    depth, include_self = rest
    result = selected | _within(selected, graph.downstream, depth)
    return result if include_self else result - selected


def _roots(graph: AssetGraph, selected: set[AssetKey], rest: tuple[Any, ...]) -> set[AssetKey]:
    return selected - _within(selected, graph.downstream, None)


def _sinks(graph: AssetGraph, selected: set[AssetKey], rest: tuple[Any, ...]) -> set[AssetKey]:
    return selected - _within(selected, graph.upstream, None)


def _required_neighbors(
    graph: AssetGraph, selected: set[AssetKey], rest: tuple[Any, ...]
) -> set[AssetKey]:
    result = set(selected)
    for key in selected:
        assets_def = graph.get(key)
        if not assets_def.can_subset:
            result.update(assets_def.keys)
    return result


def _materializable(
    graph: AssetGraph, selected: set[AssetKey], rest: tuple[Any, ...]
) -> set[AssetKey]:
    return {k for k in selected if not _external(graph, k)}


def _upstream_sources(
    graph: AssetGraph, selected: set[AssetKey], rest: tuple[Any, ...]
) -> set[AssetKey]:
    every = selected | _within(selected, graph.upstream, None)
    return {k for k in every if _external(graph, k)}


_CHAINED = {
    "upstream": _upstream,
    "downstream": _downstream,
    "roots": _roots,
    "sinks": _sinks,
    "required_neighbors": _required_neighbors,
    "materializable": _materializable,
    "upstream_sources": _upstream_sources,
}


def _has_prefix(graph: AssetGraph, key: AssetKey, args: tuple[Any, ...]) -> bool:
    return any(key.path[: len(p)] == p for p in args[0])


def _has_substring(graph: AssetGraph, key: AssetKey, args: tuple[Any, ...]) -> bool:
    return bool(args[0] in key.to_user_string())


def _in_groups(graph: AssetGraph, key: AssetKey, args: tuple[Any, ...]) -> bool:
    return (graph.spec(key).group_name or DEFAULT_GROUP) in args[0]


def _has_tag(graph: AssetGraph, key: AssetKey, args: tuple[Any, ...]) -> bool:
    return bool(graph.spec(key).tags.get(args[0]) == args[1])


def _has_kind(graph: AssetGraph, key: AssetKey, args: tuple[Any, ...]) -> bool:
    kinds = graph.spec(key).kinds
    return not kinds if args[0] is None else args[0] in kinds


def _has_owner(graph: AssetGraph, key: AssetKey, args: tuple[Any, ...]) -> bool:
    return args[0] in graph.spec(key).owners


_FILTERS = {
    "key_prefixes": _has_prefix,
    "key_substring": _has_substring,
    "groups": _in_groups,
    "tag": _has_tag,
    "kind": _has_kind,
    "owner": _has_owner,
}


# --- argument checks -------------------------------------------------------------------------


def _keys_of(values: Iterable[Any], where: str) -> tuple[AssetKey, ...]:
    resolved: list[AssetKey] = []
    for value in values:
        if isinstance(value, AssetKey):
            resolved.append(value)
        elif isinstance(value, AssetsDefinition):
            resolved.extend(value.keys)
        elif isinstance(value, AssetSpec):
            resolved.append(value.key)
        elif isinstance(value, str) or (
            isinstance(value, (list, tuple)) and value and all(isinstance(p, str) for p in value)
        ):
            resolved.append(AssetKey.from_coercible(value))
        else:
            raise SelectionError(
                f"{where}({value!r}): pass asset key strings ('sales/raw'), AssetKeys, lists of "
                "key parts (['sales', 'raw']), or asset definitions / AssetSpecs."
            )
    return tuple(sorted(set(resolved)))


def _prefix_of(prefix: Any) -> tuple[str, ...]:
    if isinstance(prefix, str) and prefix:
        return tuple(prefix.split("/"))
    if isinstance(prefix, (list, tuple)) and prefix and all(isinstance(p, str) for p in prefix):
        return tuple(prefix)
    raise SelectionError(
        f"AssetSelection.key_prefixes({prefix!r}): pass a prefix string ('sales' or "
        "'sales/raw') or a list of key parts (['sales', 'raw'])."
    )


def _text(value: Any, where: str, what: str) -> str:
    if not isinstance(value, str):
        raise SelectionError(f"AssetSelection.{where}: {what} must be a string, got {value!r}")
    return value


def _flag(value: Any, where: str, what: str) -> bool:
    if not isinstance(value, bool):
        raise SelectionError(f"AssetSelection.{where}: {what} must be True or False, got {value!r}")
    return value


def _depth(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise SelectionError(
        f"AssetSelection.{where}(depth={value!r}): depth is a number of layers (0, 1, 2, ...) "
        "or None for all of them."
    )


def _uses_syntax(text: str) -> bool:
    """Whether a string is more than an asset key path (so it goes through the parser)."""
    return not re.fullmatch(r"[A-Za-z0-9_\-/]+", text)
