"""The checks of what users pass to ``AssetSelection``'s constructors; each error names the
constructor and says what to pass instead."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.keys import AssetCheckKey, AssetKey
from asset2airflow.authoring.specs import AssetSpec
from asset2airflow.errors import SelectionError


def keys_of(values: Iterable[Any], where: str) -> tuple[AssetKey, ...]:
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


def check_keys_of(values: Iterable[Any]) -> tuple[AssetCheckKey, ...]:
    found: list[AssetCheckKey] = []
    for item in values:
        if isinstance(item, AssetCheckKey):
            found.append(item)
        elif isinstance(getattr(item, "check_keys", None), list):
            found.extend(item.check_keys)
        else:
            raise SelectionError(
                f"AssetSelection.checks({item!r}): pass AssetCheckKey(...) objects, "
                "@asset_check definitions, or assets that declare check_specs."
            )
    return tuple(sorted(set(found)))


def prefix_of(prefix: Any) -> tuple[str, ...]:
    if isinstance(prefix, str) and prefix:
        return tuple(prefix.split("/"))
    if isinstance(prefix, (list, tuple)) and prefix and all(isinstance(p, str) for p in prefix):
        return tuple(prefix)
    raise SelectionError(
        f"AssetSelection.key_prefixes({prefix!r}): pass a prefix string ('sales' or "
        "'sales/raw') or a list of key parts (['sales', 'raw'])."
    )


def text(value: Any, where: str, what: str) -> str:
    if not isinstance(value, str):
        raise SelectionError(f"AssetSelection.{where}: {what} must be a string, got {value!r}")
    return value


def flag(value: Any, where: str, what: str) -> bool:
    if not isinstance(value, bool):
        raise SelectionError(f"AssetSelection.{where}: {what} must be True or False, got {value!r}")
    return value


def depth(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise SelectionError(
        f"AssetSelection.{where}(depth={value!r}): depth is a number of layers (0, 1, 2, ...) "
        "or None for all of them."
    )


def uses_syntax(string: str) -> bool:
    """Whether a string is more than an asset key path (so it goes through the parser)."""
    return not re.fullmatch(r"[A-Za-z0-9_\-/]+", string)
