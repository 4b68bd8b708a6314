"""Value objects describing assets and their edges: ``AssetSpec``, ``AssetIn``, ``AssetDep``,
``AssetOut`` and ``AssetCheckSpec``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Union

from asset2airflow.authoring.keys import (
    AssetCheckKey,
    AssetKey,
    CoercibleToAssetKey,
    CoercibleToAssetKeyPrefix,
    coerce_key_prefix,
)
from asset2airflow.authoring.metadata import MetadataValue, normalize_metadata
from asset2airflow.authoring.names import check_name
from asset2airflow.authoring.partition_mappings import PartitionMapping
from asset2airflow.authoring.partitions import PartitionsDefinition
from asset2airflow.authoring.policy import AutomationCondition
from asset2airflow.errors import DefinitionError

if TYPE_CHECKING:
    from asset2airflow.authoring.assets import AssetsDefinition

DEFAULT_GROUP = "default"
DEFAULT_IO_MANAGER_KEY = "io_manager"


@dataclass(frozen=True)
class AssetDep:
    """A dependency that passes no value: the upstream must be materialized first."""

    asset: AssetKey
    partition_mapping: PartitionMapping | None = None

    def __init__(self, asset: CoercibleToAssetDep, *, partition_mapping: Any = None) -> None:
        keys = _keys_of(asset)
        if len(keys) != 1:
            raise TypeError(f"AssetDep needs exactly one asset, {asset!r} has {len(keys)} keys")
        object.__setattr__(self, "asset", keys[0])
        where = f"AssetDep({keys[0].to_user_string()!r})"
        object.__setattr__(
            self, "partition_mapping", _check_partition_mapping(partition_mapping, where)
        )


@dataclass(frozen=True)
class AssetSpec:
    """Everything about one asset except how it is computed.

    In ``Definitions(assets=[AssetSpec("raw_orders")])`` it declares an asset produced elsewhere
    (another file/DAG, or outside Airflow); in ``@multi_asset(specs=[...])`` it declares outputs.
    """

    key: AssetKey
    deps: tuple[AssetDep, ...] = ()
    description: str | None = None
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    group_name: str | None = None
    skippable: bool = False
    code_version: str | None = None
    owners: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    kinds: frozenset[str] = frozenset()
    partitions_def: PartitionsDefinition | None = None
    automation_condition: AutomationCondition | None = None

    def __init__(
        self,
        key: CoercibleToAssetKey,
        *,
        deps: Iterable[CoercibleToAssetDep] | None = None,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        group_name: str | None = None,
        skippable: bool = False,
        code_version: str | None = None,
        owners: Sequence[str] | None = None,
        tags: Mapping[str, str] | None = None,
        kinds: Iterable[str] | None = None,
        partitions_def: PartitionsDefinition | None = None,
        automation_condition: AutomationCondition | None = None,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "key", AssetKey.from_coercible(key))
        set_(self, "deps", coerce_deps(deps))
        set_(self, "description", description)
        set_(self, "metadata", normalize_metadata(metadata, f"asset {self.key.to_user_string()!r}"))
        if group_name is not None:
            check_name(group_name, "group", f"asset {self.key.to_user_string()!r}")
        set_(self, "group_name", group_name)
        set_(self, "skippable", skippable)
        set_(self, "code_version", code_version)
        set_(self, "owners", tuple(owners or ()))
        set_(self, "tags", dict(tags or {}))
        set_(self, "kinds", frozenset(kinds or ()))
        set_(self, "partitions_def", partitions_def)
        set_(self, "automation_condition", automation_condition)

    def replace_attributes(self, **changes: Any) -> AssetSpec:
        return replace(self, **changes)

    def with_defaults(self, **defaults: Any) -> AssetSpec:
        """A copy where every attribute that is unset here takes the given default."""
        changes = {k: v for k, v in defaults.items() if not getattr(self, k)}
        return replace(self, **changes) if changes else self


@dataclass(frozen=True)
class AssetIn:
    """How a parameter maps to an upstream asset (``ins={"orders": AssetIn("raw_orders")}``)."""

    key: AssetKey | None = None
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    key_prefix: tuple[str, ...] = ()
    input_manager_key: str | None = None
    partition_mapping: PartitionMapping | None = None

    def __init__(
        self,
        key: CoercibleToAssetKey | None = None,
        metadata: Mapping[str, Any] | None = None,
        key_prefix: CoercibleToAssetKeyPrefix = None,
        input_manager_key: str | None = None,
        partition_mapping: Any = None,
    ) -> None:
        if key is not None and key_prefix is not None:
            raise TypeError("AssetIn takes key or key_prefix, not both")
        set_ = object.__setattr__
        set_(self, "key", AssetKey.from_coercible(key) if key is not None else None)
        set_(self, "metadata", normalize_metadata(metadata))
        set_(self, "key_prefix", coerce_key_prefix(key_prefix))
        set_(self, "input_manager_key", input_manager_key)
        set_(self, "partition_mapping", _check_partition_mapping(partition_mapping, "AssetIn"))

    def resolve_key(self, param_name: str, default_prefix: Sequence[str]) -> AssetKey:
        if self.key is not None:
            return self.key
        prefix = self.key_prefix or tuple(default_prefix)
        return AssetKey([*prefix, param_name])


@dataclass(frozen=True)
class AssetOut:
    """One output of a ``@multi_asset``; the dict key of ``outs`` is the output (and asset) name."""

    key: AssetKey | None = None
    key_prefix: tuple[str, ...] = ()
    io_manager_key: str | None = None
    description: str | None = None
    is_required: bool = True
    group_name: str | None = None
    metadata: Mapping[str, Any] | None = None
    code_version: str | None = None
    owners: tuple[str, ...] = ()
    tags: Mapping[str, str] | None = None
    kinds: frozenset[str] = frozenset()
    automation_condition: AutomationCondition | None = None

    def __init__(
        self,
        key_prefix: CoercibleToAssetKeyPrefix = None,
        key: CoercibleToAssetKey | None = None,
        io_manager_key: str | None = None,
        description: str | None = None,
        is_required: bool = True,
        group_name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        code_version: str | None = None,
        owners: Sequence[str] | None = None,
        tags: Mapping[str, str] | None = None,
        kinds: Iterable[str] | None = None,
        automation_condition: AutomationCondition | None = None,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "key", AssetKey.from_coercible(key) if key is not None else None)
        set_(self, "key_prefix", coerce_key_prefix(key_prefix))
        set_(self, "io_manager_key", io_manager_key)
        set_(self, "description", description)
        set_(self, "is_required", is_required)
        set_(self, "group_name", group_name)
        set_(self, "metadata", metadata)
        set_(self, "code_version", code_version)
        set_(self, "owners", tuple(owners or ()))
        set_(self, "tags", tags)
        set_(self, "kinds", frozenset(kinds or ()))
        set_(self, "automation_condition", automation_condition)

    def to_spec(self, output_name: str, deps: tuple[AssetDep, ...]) -> AssetSpec:
        key = self.key or AssetKey([*self.key_prefix, output_name])
        return AssetSpec(
            key,
            deps=deps,
            description=self.description,
            metadata=self.metadata,
            group_name=self.group_name,
            skippable=not self.is_required,
            code_version=self.code_version,
            owners=self.owners,
            tags=self.tags,
            kinds=self.kinds,
            automation_condition=self.automation_condition,
        )


@dataclass(frozen=True)
class AssetCheckSpec:
    """Declares a check on ``asset``: used by ``@asset(check_specs=...)`` and ``@asset_check``.

    ``blocking=True``: if the check fails with severity ERROR, nothing downstream of the asset runs
    (in Airflow: the asset event is not emitted, so other DAGs are not triggered either).
    """

    name: str
    asset_key: AssetKey
    description: str | None = None
    blocking: bool = False
    additional_deps: tuple[AssetDep, ...] = ()
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)

    def __init__(
        self,
        name: str,
        *,
        asset: CoercibleToAssetDep,
        description: str | None = None,
        blocking: bool = False,
        additional_deps: Iterable[CoercibleToAssetDep] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        check_name(name, "asset check")
        keys = _keys_of(asset)
        if len(keys) != 1:
            raise TypeError(f"check {name!r} must target exactly one asset, got {asset!r}")
        set_ = object.__setattr__
        set_(self, "name", name)
        set_(self, "asset_key", keys[0])
        set_(self, "description", description)
        set_(self, "blocking", blocking)
        set_(self, "additional_deps", coerce_deps(additional_deps))
        owner = f"asset check {f'{keys[0].to_user_string()}:{name}'!r}"  # as the engine says
        set_(self, "metadata", normalize_metadata(metadata, owner))

    @property
    def key(self) -> AssetCheckKey:
        return AssetCheckKey(self.asset_key, self.name)


def _check_partition_mapping(mapping: Any, where: str) -> PartitionMapping | None:
    """A mapping must be one of ours: anything else would be stored and never applied."""
    if mapping is not None and not isinstance(mapping, PartitionMapping):
        raise DefinitionError(
            f"{where}(partition_mapping={mapping!r}): expected a PartitionMapping such as "
            "TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)."
        )
    return mapping


CoercibleToAssetDep = Union[CoercibleToAssetKey, AssetSpec, AssetDep, "AssetsDefinition"]


def _keys_of(value: Any) -> list[AssetKey]:
    if isinstance(value, AssetDep):
        return [value.asset]
    if isinstance(value, AssetSpec):
        return [value.key]
    if isinstance(value, (AssetKey, str, list, tuple)):
        return [AssetKey.from_coercible(value)]
    keys = getattr(value, "keys", None)  # an AssetsDefinition
    if keys is not None:
        return sorted(keys)
    raise TypeError(
        f"cannot use {value!r} as an asset dependency: pass an asset, an AssetKey, an AssetSpec, "
        "an AssetDep or a key string such as 'sales/raw_sales'"
    )


def coerce_deps(
    values: Iterable[CoercibleToAssetDep] | CoercibleToAssetDep | None,
) -> tuple[AssetDep, ...]:
    """Normalize ``deps=[...]`` to ``AssetDep``s (an ``AssetDep`` keeps its partition mapping).

    A single dependency given alone (``deps="raw"``, an ``AssetKey``, a spec or an asset) is one
    dependency, not one per character or per item.
    """
    if values is None:
        return ()
    items: Iterable[Any] = (
        [values]
        if isinstance(values, (str, AssetKey, AssetSpec, AssetDep)) or hasattr(values, "specs")
        else values
    )
    result: list[AssetDep] = []
    for value in items:
        if isinstance(value, AssetDep):
            result.append(value)
        else:
            result.extend(AssetDep(key) for key in _keys_of(value))
    if isinstance(values, (set, frozenset)):  # a set has no order; parses must agree
        result.sort(key=lambda dep: dep.asset)
    return tuple(result)
