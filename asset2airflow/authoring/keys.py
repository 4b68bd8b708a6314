"""Asset keys and the ids of asset checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Union

import attrs

from asset2airflow.authoring.names import check_key_component


def _key_path(path: CoercibleToAssetKey) -> tuple[str, ...]:
    """The components of a key given as a string (one component, as in Dagster), a list/tuple
    of components, or another key; each component checked."""
    if isinstance(path, AssetKey):
        return path.path
    if isinstance(path, str):
        parts: tuple[str, ...] = (path,)
    elif isinstance(path, Sequence) and path:
        parts = tuple(path)
    else:
        raise TypeError(f"AssetKey needs a string or a non-empty list of strings, got {path!r}")
    key_repr = "/".join(str(p) for p in parts)
    for part in parts:
        check_key_component(part, repr(key_repr))
    return parts


@attrs.frozen(slots=False, repr=False)
class AssetKey:
    """The path that names an asset, e.g. ``AssetKey(["sales", "raw_sales"])``.

    Built from a string (one component, as in Dagster), a list/tuple of components, or another
    key. ``to_user_string()`` joins components with ``/``; ``from_user_string`` splits them.
    """

    path: tuple[str, ...] = attrs.field(converter=_key_path)

    @staticmethod
    def from_user_string(user_string: str) -> AssetKey:
        return _key_from_user_string(user_string)

    @staticmethod
    def from_coercible(value: CoercibleToAssetKey) -> AssetKey:
        """Like the constructor, but a string containing ``/`` is split into components."""
        if isinstance(value, str):
            return AssetKey.from_user_string(value)
        return AssetKey(value)

    def to_user_string(self) -> str:
        return "/".join(self.path)

    def to_python_identifier(self, suffix: str | None = None) -> str:
        """A name usable as a Python identifier and task id: components joined by ``__``."""
        name = "__".join(self.path).replace("-", "_")
        return f"{name}_{suffix}" if suffix else name

    def with_prefix(self, prefix: CoercibleToAssetKeyPrefix) -> AssetKey:
        return AssetKey([*coerce_key_prefix(prefix), *self.path])

    @property
    def name(self) -> str:
        """The last component, which is the asset's name."""
        return self.path[-1]

    def __str__(self) -> str:
        return self.to_user_string()

    def __repr__(self) -> str:
        return f"AssetKey({list(self.path)!r})"

    def __lt__(self, other: AssetKey) -> bool:
        return self.path < other.path


@lru_cache(maxsize=65536)
def _key_from_user_string(user_string: str) -> AssetKey:
    """Parsing and validating keys is cached: keys are immutable and parsed again and again."""
    return AssetKey(user_string.split("/"))


CoercibleToAssetKey = Union[AssetKey, str, Sequence[str]]
CoercibleToAssetKeyPrefix = Union[str, Sequence[str], None]


def coerce_key_prefix(prefix: CoercibleToAssetKeyPrefix) -> tuple[str, ...]:
    if prefix is None:
        return ()
    if isinstance(prefix, str):
        return (prefix,)
    return tuple(prefix)


@dataclass(frozen=True)
class AssetCheckKey:
    """Identifies one check: the asset it checks and its name."""

    asset_key: AssetKey
    name: str

    def to_user_string(self) -> str:
        return f"{self.asset_key.to_user_string()}:{self.name}"

    def __str__(self) -> str:
        return self.to_user_string()

    def __lt__(self, other: AssetCheckKey) -> bool:
        return (self.asset_key.path, self.name) < (other.asset_key.path, other.name)
