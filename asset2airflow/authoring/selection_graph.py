"""What an ``AssetSelection`` resolves against, and the walks its operators share.

``SelectionGraph`` is the part of the resolved asset graph (``asset_graph.AssetGraph``) a
selection reads, written down here so that authoring stays below the graph layer: a selection is
plain data declared before any graph exists, and is resolved when one is given to it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.keys import AssetCheckKey, AssetKey
from asset2airflow.authoring.specs import AssetSpec
from asset2airflow.errors import SelectionError


class CheckOfAsset(Protocol):
    @property
    def key(self) -> AssetCheckKey: ...


class SelectionGraph(Protocol):
    """Keys, edges, specs and checks of a set of definitions (``AssetGraph`` is one)."""

    @property
    def all_keys(self) -> list[AssetKey]: ...

    @property
    def materializable_keys(self) -> list[AssetKey]: ...

    @property
    def upstream(self) -> Mapping[AssetKey, Sequence[AssetKey]]: ...

    @property
    def downstream(self) -> Mapping[AssetKey, Sequence[AssetKey]]: ...

    @property
    def checks(self) -> Mapping[AssetCheckKey, CheckOfAsset]: ...

    def has(self, key: AssetKey) -> bool: ...

    def get(self, key: AssetKey) -> AssetsDefinition: ...

    def spec(self, key: AssetKey) -> AssetSpec: ...

    def checks_for(self, key: AssetKey) -> Sequence[CheckOfAsset]: ...


def unknown_keys_message(graph: SelectionGraph, names: Sequence[str], what: str) -> str:
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


def check_defined(graph: SelectionGraph, keys: Iterable[AssetKey], what: str) -> None:
    unknown = [k.to_user_string() for k in keys if not graph.has(k)]
    if unknown:
        raise SelectionError(unknown_keys_message(graph, unknown, what))


def match_key_pattern(graph: SelectionGraph, pattern: str) -> set[AssetKey]:
    """``key:`` of the string syntax: the whole ``a/b/c`` key string, ``*`` matching anything
    (``/`` included). Without ``*`` it names one asset, which must exist."""
    pieces = [p for p in re.split(r"(\*)", pattern) if p]
    regex = re.compile("".join(".*" if part == "*" else re.escape(part) for part in pieces))
    matched = {k for k in graph.all_keys if regex.fullmatch(k.to_user_string())}
    if not matched and "*" not in pattern:
        raise SelectionError(unknown_keys_message(graph, [pattern], f'key:"{pattern}"'))
    return matched


def within(
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


def is_external(graph: SelectionGraph, key: AssetKey) -> bool:
    return graph.get(key).is_external
